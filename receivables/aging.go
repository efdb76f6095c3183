package receivables

import "github.com/facturo/facturo/calendar"

// AgingBuckets are the buckets of the receivables aging, in order.
var AgingBuckets = []string{"current", "1_30", "31_60", "61_90", "over_90"}

// agingLimits are the upper bounds, in days past due, of every aging
// bucket but the last.
var agingLimits = []int{0, 30, 60, 90}

// AgingCuts are the first due dates of every bucket but the last at asOf:
// bucket i holds due dates on or after cuts[i], the last bucket the rest.
func AgingCuts(asOf calendar.Date) []calendar.Date {
	cuts := make([]calendar.Date, len(agingLimits))
	for i, days := range agingLimits {
		cuts[i] = asOf.AddDays(-days)
	}
	return cuts
}

// AgingBucketOf returns the bucket index of a due date at asOf (the rule
// the database applies with AgingCuts).
func AgingBucketOf(due, asOf calendar.Date) int {
	for i, cut := range AgingCuts(asOf) {
		if !due.Before(cut) {
			return i
		}
	}
	return len(agingLimits)
}

// AgingBucket names bucket i; indexes past the last name the last bucket.
func AgingBucket(i int) string { return AgingBuckets[min(max(i, 0), len(AgingBuckets)-1)] }

// IsPastDue reports whether bucket i is past due (every bucket after the first).
func IsPastDue(i int) bool { return i > 0 }
