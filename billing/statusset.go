package billing

import "slices"

// The status sets: the one home of the predicates that name a group of
// statuses, in Go (the sets and the Status methods below) and in SQL (the
// ...SQL constants, which the store splices into its statements, so that
// no statement spells a status by hand; TestNoInvoiceStatusLiteralsInStoreSQL
// at the module root refuses it). statusset_test.go checks that every set,
// its predicate and its SQL list agree.

// OwedStatuses are the statuses of a document that is part of the open
// receivable: issued and neither settled nor void. Only these take a
// payment, a settlement or a dunning step.
var OwedStatuses = []Status{Open, PastDue}

// OwedSQL is OwedStatuses as an SQL list of string literals, for
// `status IN (` + OwedSQL + `)`. The triggers of migration 00012 spell the
// same list (an applied migration never changes; the root test checks them).
const OwedSQL = `'` + string(Open) + `', '` + string(PastDue) + `'`

// IsOwed reports whether a document in status s is part of the open
// receivable (OwedStatuses).
func (s Status) IsOwed() bool { return slices.Contains(OwedStatuses, s) }

// DueSweepStatuses are the statuses the past-due sweep looks at: those that
// become past due once the due date has passed with a balance.
var DueSweepStatuses = []Status{Open}

// DueSweepSQL is DueSweepStatuses as an SQL list of string literals.
const DueSweepSQL = `'` + string(Open) + `'`

// IssuedStatuses are the statuses of an issued document, which has a legal
// number and is posted (Status.IsIssued), in the order of Statuses.
var IssuedStatuses = []Status{Open, PastDue, Closed, Void}

// DraftStatuses are the statuses of a document not yet issued, editable
// (Status.IsDraft), in the order of Statuses.
var DraftStatuses = []Status{Draft, Submitted, Approved}

// PortalStatuses are the statuses the customer portal shows
// (Status.VisibleToCustomer), in the order of Statuses: the portal's
// default list filter.
var PortalStatuses = []Status{Open, PastDue, Closed, Void}
