// Package jobargs holds the arguments of the River jobs that a business
// transaction inserts (the store, in the transaction of the change) and a
// worker of package jobs runs: the one home of their kinds and JSON.
package jobargs

import (
	"time"

	"github.com/riverqueue/river"
)

// WalletRecharge runs one attempt of a wallet's automatic recharge: the
// store inserts it with the recharge, and again with each retry the
// recharge schedules, to run at the recharge's next attempt.
type WalletRecharge struct {
	TenantID   string `json:"tenant_id"`
	RechargeID string `json:"recharge_id"`
	// Attempt is how many attempts failed before this one: each attempt
	// is a job of its own, unique by its arguments.
	Attempt int `json:"attempt"`
}

// KindWalletRecharge is the River kind of WalletRecharge.
const KindWalletRecharge = "wallet_recharge"

// Kind is the job's River kind.
func (WalletRecharge) Kind() string { return KindWalletRecharge }

// Opts schedules the job at at, once for its arguments. Its own retries
// are for the database failing under it: the recharge counts the card's
// failures and schedules its next attempt itself.
func (WalletRecharge) Opts(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: at, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SendEmail makes one attempt at sending an outbox message: the store
// inserts it with the queued message, and again with each retry the
// message schedules (and when staff queue it again), to run when due.
type SendEmail struct {
	TenantID       string `json:"tenant_id"`
	NotificationID string `json:"notification_id"`
	// Due is when the attempt is due: each scheduling is a job of its own,
	// unique by its arguments.
	Due time.Time `json:"due"`
}

// KindSendEmail is the River kind of SendEmail.
const KindSendEmail = "send_email"

// Kind is the job's River kind.
func (SendEmail) Kind() string { return KindSendEmail }

// Opts schedules the job when it is due, once for its arguments. Its own
// retries are for the database failing under it: the message counts the
// mail server's failures and schedules its next attempt itself.
func (a SendEmail) Opts() *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: a.Due, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DeliverWebhooks wakes the webhook deliveries up: the store inserts it,
// once per transaction and due time, with the deliveries a transaction
// queues or schedules for a retry (and when staff retry a failed one), to
// run when they are due. Its worker claims and posts every due delivery,
// not only its transaction's, so a job that comes late finds nothing left.
type DeliverWebhooks struct {
	Due time.Time `json:"due"`
}

// KindDeliverWebhooks is the River kind of DeliverWebhooks.
const KindDeliverWebhooks = "deliver_webhooks"

// Kind is the job's River kind.
func (DeliverWebhooks) Kind() string { return KindDeliverWebhooks }

// Opts schedules the job when the deliveries are due. Its own retries are
// for the database failing under it: a delivery counts the endpoint's
// failures and schedules its next attempt itself.
func (a DeliverWebhooks) Opts() *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: a.Due, MaxAttempts: 5}
}

// HelpBillingRun bills open batches of a running billing run on whichever
// node takes it: the store inserts a few with a run's plan (on PostgreSQL,
// where nodes bill batches side by side), so that serve nodes share the
// run with the node that started it.
type HelpBillingRun struct {
	TenantID string `json:"tenant_id"`
	RunID    string `json:"run_id"`
	// Helper numbers the helpers of one plan: each is a job of its own.
	Helper int `json:"helper"`
	// Plan is the run's last batch when the plan was made: a plan made
	// again (a resumed run) inserts new helpers.
	Plan int `json:"plan"`
}

// KindHelpBillingRun is the River kind of HelpBillingRun.
const KindHelpBillingRun = "help_billing_run"

// Kind is the job's River kind.
func (HelpBillingRun) Kind() string { return KindHelpBillingRun }

// Opts makes the job once for its arguments. A helper that fails leaves
// the batch it was billing open for the others: it is not retried.
func (HelpBillingRun) Opts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
