package service

import (
	"context"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/receivables"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/collections"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
)

// The payment, settlement, refund, customer credit, card payment and
// dunning use cases live in package collections; Service embeds it, so its
// methods are Service's. These names keep the types reachable as they were.
type (
	// Payment is money received from a customer.
	Payment = collections.Payment
	// Application sets part of a payment or credit note against an invoice.
	Application = collections.Application
	// Refund returns part of a payment to the customer.
	Refund = collections.Refund
	// PaymentFilter selects payments, newest first.
	PaymentFilter = collections.PaymentFilter
	// Allocation asks to apply an amount to one invoice.
	Allocation = collections.Allocation
	// PaymentInput records a payment received outside the payment provider.
	PaymentInput = collections.PaymentInput
	// RefundInput refunds part or all of a payment.
	RefundInput = collections.RefundInput
	// SettleInput sets a customer's credit against its open invoices.
	SettleInput = collections.SettleInput
	// Settlement is what a settlement applied.
	Settlement = collections.Settlement
	// CustomerCredit is a customer's credit in one currency.
	CustomerCredit = collections.CustomerCredit
)

// Payment methods (receivables.Methods).
const (
	PayBankTransfer = collections.PayBankTransfer
	PayCash         = collections.PayCash
	PayCard         = collections.PayCard
)

// PaymentKinds lists the payment methods a payment may record.
var PaymentKinds = collections.PaymentKinds

// cashDiscountSource is the source type of the entry that grants an
// invoice its cash discount (receivables.CashDiscountSource).
const cashDiscountSource = receivables.CashDiscountSource

// collector is the embedded collections service (an alias, so the embedded
// field is named collector, not a second Service).
type collector = collections.Service

// newCollections returns the collections service over store, its
// transactions narrowed to what each part of it declares, with what it
// needs of the rest of the service (the root code it calls asserts the
// interface its callee declares, see callbacks.go).
func (s *Service) newCollections(store Store) *collections.Service {
	return collections.New(collections.Stores{
		Payments:     usecase.Narrow[collections.PaymentsTx, Tx](store, func(tx Tx) collections.PaymentsTx { return tx }),
		PaymentReads: usecase.Narrow[collections.PaymentReadsTx, Tx](store, func(tx Tx) collections.PaymentReadsTx { return tx }),
		Dunning:      usecase.Narrow[collections.DunningTx, Tx](store, func(tx Tx) collections.DunningTx { return tx }),
	}, collections.Deps{
		Emit: func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error {
			return s.emitEvent(ctx, tx.(notify.EventStore), tenantID, e.Type, e.Data)
		},
		Post: func(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
			return s.post(ctx, tx.(bookkeeping.PostingTx), tenantID, date, desc, sourceType, sourceID, reverses, lines)
		},
		ChargeCard: func(ctx context.Context, tx usecase.AuditTx, tenantID, customerID string, today calendar.Date, amount money.Amount, desc, key string) (accounts.PaymentMethod, accounts.ProviderCharge, error) {
			return s.ChargePrimaryCard(ctx, tx.(accounts.PaymentMethodStore), tenantID, customerID, today, amount, desc, key)
		},
		Provider: s.provider,
		Fault:    s.faultPoint,
	}, s.Now)
}

// customerName is how emails address a customer (collections.CustomerName).
func customerName(c billing.Customer) string { return collections.CustomerName(c) }
