package receivables

import (
	"fmt"
	"slices"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// MaxDunningSteps bounds a tenant's reminder schedule.
const MaxDunningSteps = 10

// CheckDunningSchedule checks a reminder schedule: strictly increasing days
// past due, 1 to 365, at most MaxDunningSteps. It returns a copy (never nil).
func CheckDunningSchedule(offsets []int) ([]int, error) {
	var c fail.Collector
	if len(offsets) > MaxDunningSteps {
		c.Add("offsets", "at most %d reminders", MaxDunningSteps)
	}
	for i, n := range offsets {
		if n < 1 || n > 365 {
			c.Add(fmt.Sprintf("offsets[%d]", i), "must be 1 to 365 days past due")
		} else if i > 0 && n <= offsets[i-1] {
			c.Add(fmt.Sprintf("offsets[%d]", i), "must be more than the step before (%d)", offsets[i-1])
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	out := slices.Clone(offsets)
	if out == nil {
		out = []int{}
	}
	return out, nil
}

// DunningStep returns how many steps of offsets daysPastDue has reached
// (0: none yet).
func DunningStep(offsets []int, daysPastDue int) int {
	n := 0
	for _, o := range offsets {
		if daysPastDue >= o {
			n++
		}
	}
	return n
}

// DunningDue returns the reminder step an open document has reached on
// today (0: none): only invoices with a balance are reminded.
func DunningDue(d Document, offsets []int, today calendar.Date) int {
	if d.Kind != billing.KindInvoice || d.Balance.Sign() <= 0 {
		return 0
	}
	return DunningStep(offsets, d.DueDate.DaysUntil(today))
}

// ReminderToSend reports whether step should be queued for d now, in the
// transaction that holds its lock: it is still open or past due with a
// balance, and last (the highest step recorded) is below step.
func ReminderToSend(d Document, step, last int) bool {
	if !d.Status.IsOwed() || d.Balance.Sign() <= 0 {
		return false
	}
	return last < step
}
