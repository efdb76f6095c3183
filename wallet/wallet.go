// Package wallet is a customer's prepaid balance (seed 003): paid credits
// bought by top-ups and automatic recharges, complimentary grants, and the
// movements that draw from them.
package wallet

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Wallet is a customer's prepaid balance (seed 003). Amounts are kept in
// the wallet's currency; credits are a display unit: credits = amount ×
// CreditRate. Paid credits come from top-ups (card charges) and are a
// liability to the customer (the customer-prepayments account);
// complimentary credits are grants by staff, kept apart in lots with an
// optional expiry, and are not in the ledger (no money was received).
type Wallet struct {
	ID                string          `json:"id"`
	TenantID          string          `json:"-"`
	CustomerID        string          `json:"customer_id"`
	Currency          string          `json:"currency"`
	CreditRate        decimal.Decimal `json:"credit_rate" money:"-"` // credits per currency unit
	PaidBalance       money.Amount    `json:"paid_balance"`
	AutoRecharge      bool            `json:"auto_recharge"`
	RechargeThreshold money.Amount    `json:"recharge_threshold"` // recharge when the balance falls below
	RechargeAmount    money.Amount    `json:"recharge_amount"`
	PendingRechargeID string          `json:"pending_recharge_id,omitempty"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// Normalize validates a wallet's settings.
func (w *Wallet) Normalize() error {
	var c fail.Collector
	cur, err := money.ParseCurrency(w.Currency)
	if err != nil {
		c.Add("currency", "%v", err)
	}
	if !w.CreditRate.IsPositive() || w.CreditRate.Exponent() < -6 {
		c.Add("credit_rate", "must be above 0, with at most 6 decimals")
	}
	if w.RechargeThreshold.Sign() < 0 {
		c.Add("recharge_threshold", "must not be negative")
	}
	if w.RechargeAmount.Sign() < 0 {
		c.Add("recharge_amount", "must not be negative")
	}
	if err == nil {
		w.InCurrency(cur)
		if !w.RechargeThreshold.IsRounded() {
			c.Add("recharge_threshold", "has more decimals than %s allows", cur.Code())
		}
		if !w.RechargeAmount.IsRounded() {
			c.Add("recharge_amount", "has more decimals than %s allows", cur.Code())
		}
	}
	if w.AutoRecharge && w.RechargeAmount.Sign() <= 0 {
		c.Add("recharge_amount", "must be above 0 when auto_recharge is on")
	}
	return c.Err()
}

// InCurrency puts w's amounts in currency c, their values unchanged: a
// wallet's amounts are in its currency, which its settings may name after
// the amounts were read.
func (w *Wallet) InCurrency(c money.Currency) {
	w.PaidBalance = money.New(w.PaidBalance.Decimal(), c)
	w.RechargeThreshold = money.New(w.RechargeThreshold.Decimal(), c)
	w.RechargeAmount = money.New(w.RechargeAmount.Decimal(), c)
}

// Grant is one lot of complimentary credits.
type Grant struct {
	ID         string        `json:"id"`
	TenantID   string        `json:"-"`
	CustomerID string        `json:"customer_id"`
	Amount     money.Amount  `json:"amount"` // in the wallet's currency
	Remaining  money.Amount  `json:"remaining"`
	Currency   string        `json:"currency"`   // the wallet's, the currency of the amounts
	ExpiresOn  calendar.Date `json:"expires_on"` // last day it can be used; zero: never expires
	Reason     string        `json:"reason"`
	CreatedAt  time.Time     `json:"created_at"`
}

// Usable reports whether the lot can still be drawn on day today.
func (g Grant) Usable(today calendar.Date) bool {
	return g.Remaining.Sign() > 0 && (g.ExpiresOn.IsZero() || !today.After(g.ExpiresOn))
}

// Movement kinds.
const (
	MoveTopUp    = "top_up"   // paid credits bought by charging a card
	MoveRecharge = "recharge" // an automatic top-up
	MoveGrant    = "grant"    // complimentary credits granted by staff
	MoveDraw     = "draw"     // a usage charge drawn from the wallet
)

// The descriptions the system writes on wallet movements, in English (the
// API, the ledger and the card charge show them). Pages show a movement's
// kind in the reader's language and only its Note beside it.
const (
	TopUpDescription    = "Wallet top-up"
	RechargeDescription = "Wallet automatic recharge"
	grantDescription    = "Complimentary credits"
)

// GrantDescription is the description of a grant of complimentary credits
// given for reason ("Complimentary credits: onboarding").
func GrantDescription(reason string) string {
	if reason == "" {
		return grantDescription
	}
	return grantDescription + ": " + reason
}

// Note is what m's description says beyond its kind, the text someone
// gave: a grant's reason, a usage charge's description; "" for top-ups and
// recharges, whose description only names their kind.
func (m Movement) Note() string {
	switch m.Kind {
	case MoveTopUp, MoveRecharge:
		return ""
	case MoveGrant:
		rest, _ := strings.CutPrefix(m.Description, grantDescription)
		return strings.TrimPrefix(rest, ": ")
	}
	return m.Description
}

// Movement is one change of a wallet; top-ups carry a receipt number.
type Movement struct {
	ID            string       `json:"id"`
	TenantID      string       `json:"-"`
	CustomerID    string       `json:"customer_id"`
	Kind          string       `json:"kind"`
	Ref           string       `json:"ref,omitempty"` // a usage charge's reference: applied once
	Currency      string       `json:"currency"`      // the wallet's, the currency of the amounts
	Paid          money.Amount `json:"paid"`          // signed change of paid credits, in the wallet's currency
	Complimentary money.Amount `json:"complimentary"` // signed change of complimentary credits
	Billed        money.Amount `json:"billed"`        // the part of a usage charge the wallet did not cover
	PaidAfter     money.Amount `json:"paid_after"`
	Description   string       `json:"description"`
	ReceiptNumber string       `json:"receipt_number,omitempty"`
	ProviderRef   string       `json:"provider_ref,omitempty"`
	EntryID       string       `json:"entry_id,omitempty"`
	SalesItemID   string       `json:"sales_item_id,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
}

// NeedsRecharge reports whether a wallet whose total balance is balance
// should start an automatic recharge: auto-recharge is on, the balance is
// below the threshold and no recharge is already under way.
func (w Wallet) NeedsRecharge(balance money.Amount) bool {
	below, err := balance.Cmp(w.RechargeThreshold)
	return w.AutoRecharge && w.RechargeAmount.Sign() > 0 && w.PendingRechargeID == "" && err == nil && below < 0
}

// RechargeDelay is the retry policy of a failed recharge: attempt n (1 for
// the first retry) waits base × 2^(n−1), at most a day.
func RechargeDelay(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}
