package receivables

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/service"
)

// Payment is money received from a customer, as the API shows it.
type Payment struct {
	ID               string        `json:"id"`
	CustomerID       string        `json:"customer_id"`
	Method           string        `json:"method" enum:"bank_transfer,cash,card"`
	Amount           string        `json:"amount"`
	Currency         string        `json:"currency"`
	ExchangeRate     string        `json:"exchange_rate"`
	AmountAccounting string        `json:"amount_accounting" doc:"In the tenant's accounting currency."`
	Unapplied        string        `json:"unapplied" doc:"Not applied to any invoice: the customer's credit, which later invoices use."`
	Refunded         string        `json:"refunded"`
	Date             core.Date     `json:"date"`
	Reference        string        `json:"reference"`
	PaymentMethodID  string        `json:"payment_method_id,omitempty"`
	CardBrand        string        `json:"card_brand,omitempty"`
	CardLast4        string        `json:"card_last4,omitempty"`
	Provider         string        `json:"provider,omitempty"`
	ChargeID         string        `json:"charge_id,omitempty"`
	EntryID          string        `json:"entry_id"`
	CreatedAt        time.Time     `json:"created_at"`
	Applications     []Application `json:"applications"`
	Refunds          []Refund      `json:"refunds"`
}

// Application is part of a payment or credit note set against an invoice.
type Application struct {
	ID         string `json:"id"`
	SourceType string `json:"source_type" enum:"payment,credit_note"`
	SourceID   string `json:"source_id"`
	InvoiceID  string `json:"invoice_id"`
	Amount     string `json:"amount"`
	Reversed   string `json:"reversed" doc:"Taken back by refunds."`
	EntryID    string `json:"entry_id"`
}

// Refund is money returned to the customer from a payment.
type Refund struct {
	ID             string    `json:"id"`
	PaymentID      string    `json:"payment_id"`
	Amount         string    `json:"amount"`
	Reason         string    `json:"reason"`
	ProviderRefund string    `json:"provider_refund,omitempty"`
	Date           core.Date `json:"date"`
	EntryID        string    `json:"entry_id"`
	CreatedAt      time.Time `json:"created_at"`
}

func applicationsOut(as []service.Application, cur string) []Application {
	out := make([]Application, 0, len(as))
	for _, a := range as {
		out = append(out, Application{ID: a.ID, SourceType: a.SourceType, SourceID: a.SourceID, InvoiceID: a.InvoiceID,
			Amount: core.Fixed(a.Amount), Reversed: core.Fixed(a.Reversed), EntryID: a.EntryID})
	}
	return out
}

func refundOut(r service.Refund, cur string) Refund {
	return Refund{ID: r.ID, PaymentID: r.PaymentID, Amount: core.Fixed(r.Amount), Reason: r.Reason, ProviderRefund: r.ProviderRefund,
		Date: core.Date{Date: r.Date}, EntryID: r.EntryID, CreatedAt: r.CreatedAt}
}

// paymentOut is the API form of a payment; acc is the accounting currency.
func paymentOut(p service.Payment, acc string) Payment {
	out := Payment{ID: p.ID, CustomerID: p.CustomerID, Method: p.Method, Amount: core.Fixed(p.Amount), Currency: p.Currency,
		ExchangeRate: p.ExchangeRate.String(), AmountAccounting: core.Fixed(p.AmountAccounting), Unapplied: core.Fixed(p.Unapplied),
		Refunded: core.Fixed(p.Refunded), Date: core.Date{Date: p.Date}, Reference: p.Reference, PaymentMethodID: p.PaymentMethodID,
		CardBrand: p.CardBrand, CardLast4: p.CardLast4, Provider: p.Provider, ChargeID: p.ChargeID, EntryID: p.EntryID,
		CreatedAt: p.CreatedAt, Applications: applicationsOut(p.Applications, p.Currency), Refunds: []Refund{}}
	for _, r := range p.Refunds {
		out.Refunds = append(out.Refunds, refundOut(r, p.Currency))
	}
	return out
}

func (h *Handlers) registerPayments(api huma.API) {
	tags := []string{"Payments"}
	type recordIn struct {
		core.IdempotencyHeader
		Body struct {
			CustomerID   string     `json:"customer_id" doc:"The paying (bill-to) customer."`
			Method       string     `json:"method" enum:"bank_transfer,cash,card" doc:"How the money came in (card: a card terminal; to charge a stored card use POST /api/v1/invoices/{id}/pay)."`
			Amount       string     `json:"amount" doc:"Decimal string in the payment currency."`
			Currency     string     `json:"currency,omitempty" doc:"ISO 4217; default the customer's billing currency."`
			ExchangeRate string     `json:"exchange_rate,omitempty" doc:"Accounting-currency units per unit of currency; required when the currency is not the accounting currency."`
			Date         *core.Date `json:"date,omitempty" doc:"Default today; not in the future."`
			Reference    string     `json:"reference,omitempty" maxLength:"200"`
			Invoices     []struct {
				InvoiceID string `json:"invoice_id"`
				Amount    string `json:"amount,omitempty" doc:"Default: as much as the invoice owes and the payment has left."`
			} `json:"invoices,omitempty" doc:"Invoices to apply the payment to, in order. Omitted: the customer's open invoices in the payment currency, oldest due first. What is left over is customer credit."`
			KeepAsCredit bool `json:"keep_as_credit,omitempty" doc:"With no invoices listed, apply nothing: keep it all as credit."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "record-payment", Method: http.MethodPost, Path: "/api/v1/payments", Summary: "Record a payment",
		Description: "Bank transfer, cash or card terminal. Applies to invoices (closing those paid in full); the rest is customer credit. Posts bank against receivables and customer credit.",
		Tags:        tags},
		func(ctx context.Context, p access.Principal, in *recordIn) (*core.Body[Payment], error) {
			b := in.Body
			si := service.PaymentInput{CustomerID: b.CustomerID, Method: b.Method, Amount: b.Amount, Currency: b.Currency,
				ExchangeRate: b.ExchangeRate, Reference: b.Reference, NoAutoApply: b.KeepAsCredit}
			if b.Date != nil {
				si.Date = b.Date.Date
			}
			for _, a := range b.Invoices {
				si.Invoices = append(si.Invoices, service.Allocation{InvoiceID: a.InvoiceID, Amount: a.Amount})
			}
			pay, err := h.Svc.RecordPayment(ctx, p, si)
			if err != nil {
				return nil, err
			}
			return &core.Body[Payment]{Body: paymentOut(pay, core.AccountingOrBlank(ctx, h.Svc, p))}, nil
		})
	type listIn struct {
		CustomerID string `query:"customer_id"`
		Limit      int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}
	core.Op(api, huma.Operation{OperationID: "list-payments", Method: http.MethodGet, Path: "/api/v1/payments", Summary: "List payments",
		Description: "Newest first. A customer sees its own.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[[]Payment], error) {
			ps, err := h.Svc.ListPayments(ctx, p, service.PaymentFilter{CustomerID: in.CustomerID, Limit: in.Limit})
			if err != nil {
				return nil, err
			}
			acc, err := core.Accounting(ctx, h.Svc, p)
			if err != nil {
				return nil, err
			}
			out := make([]Payment, 0, len(ps))
			for _, x := range ps {
				out = append(out, paymentOut(x, acc))
			}
			return &core.Body[[]Payment]{Body: out}, nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-payment", Method: http.MethodGet, Path: "/api/v1/payments/{id}", Summary: "Get a payment",
		Description: "With its applications to invoices and its refunds.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[Payment], error) {
			pay, err := h.Svc.GetPayment(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[Payment]{Body: paymentOut(pay, core.AccountingOrBlank(ctx, h.Svc, p))}, nil
		})
	type refundIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			Amount string `json:"amount,omitempty" doc:"Default: all that is left to refund."`
			Reason string `json:"reason,omitempty" maxLength:"500"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "refund-payment", Method: http.MethodPost, Path: "/api/v1/payments/{id}/refunds", Summary: "Refund a payment",
		Description: "Never more than was paid and not yet refunded. The unapplied credit is refunded first, then the payment's applications newest first, which reopens those invoices. Card payments are refunded through the payment provider.",
		Tags:        tags},
		func(ctx context.Context, p access.Principal, in *refundIn) (*core.Body[Refund], error) {
			r, err := h.Svc.RefundPayment(ctx, p, in.ID, service.RefundInput{Amount: in.Body.Amount, Reason: in.Body.Reason, IdempotencyKey: in.IdempotencyKey})
			if err != nil {
				return nil, err
			}
			pay, err := h.Svc.GetPayment(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[Refund]{Body: refundOut(r, pay.Currency)}, nil
		})
	type payIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body *struct {
			Amount string `json:"amount,omitempty" doc:"Default: the whole balance; less is a partial payment."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "pay-invoice", Method: http.MethodPost, Path: "/api/v1/invoices/{id}/pay", Summary: "Pay an invoice with the primary card",
		Description: "Charges the customer's primary card through the payment provider and applies the payment. The customer may pay its own invoices. A declined or expired card is 402 and nothing is recorded.",
		Tags:        tags, Errors: []int{http.StatusPaymentRequired}},
		func(ctx context.Context, p access.Principal, in *payIn) (*core.Body[Payment], error) {
			amount := ""
			if in.Body != nil {
				amount = in.Body.Amount
			}
			pay, err := h.Svc.PayInvoice(ctx, p, in.ID, amount, in.IdempotencyKey)
			if err != nil {
				return nil, err
			}
			return &core.Body[Payment]{Body: paymentOut(pay, core.AccountingOrBlank(ctx, h.Svc, p))}, nil
		})
	type settleIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body *struct {
			Currency string   `json:"currency,omitempty" doc:"Default: the customer's billing currency."`
			Sources  []string `json:"sources,omitempty" doc:"Payment (pay_…) and credit note ids to use; default all the customer's credit, oldest first."`
			Invoices []string `json:"invoices,omitempty" doc:"Invoice ids to settle in order; default all open invoices, oldest due first."`
		}
	}
	type settleOut struct {
		Applications []Application `json:"applications"`
		EntryID      string        `json:"entry_id"`
	}
	core.Op(api, huma.Operation{OperationID: "settle-customer", Method: http.MethodPost, Path: "/api/v1/customers/{id}/settle", Summary: "Settle open transactions",
		Description: "Applies the customer's unapplied payments and open credit notes to its open invoices until one side runs out (seed 004's \"settle open transactions\"). Invoices paid in full close.",
		Tags:        tags, DefaultStatus: http.StatusOK},
		func(ctx context.Context, p access.Principal, in *settleIn) (*core.Body[settleOut], error) {
			si := service.SettleInput{CustomerID: in.ID}
			if in.Body != nil {
				si.Currency, si.Sources, si.Invoices = in.Body.Currency, in.Body.Sources, in.Body.Invoices
			}
			st, err := h.Svc.Settle(ctx, p, si)
			if err != nil {
				return nil, err
			}
			cur := ""
			if len(st.Applications) > 0 {
				if inv, err := h.Svc.GetInvoice(ctx, p, st.Applications[0].InvoiceID); err == nil {
					cur = inv.Currency
				}
			}
			return &core.Body[settleOut]{Body: settleOut{Applications: applicationsOut(st.Applications, cur), EntryID: st.EntryID}}, nil
		})
	type creditOut struct {
		Currency     string `json:"currency"`
		Unapplied    string `json:"unapplied_payments"`
		CreditNotes  string `json:"open_credit_notes"`
		Total        string `json:"total_credit"`
		OpenInvoices string `json:"open_invoices" doc:"What the customer owes in this currency."`
	}
	core.Op(api, huma.Operation{OperationID: "get-customer-credit", Method: http.MethodGet, Path: "/api/v1/customers/{id}/credit", Summary: "A customer's credit and open balance",
		Description: "Per currency: unapplied payments, open credit notes, and open invoices.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[[]creditOut], error) {
			cs, err := h.Svc.GetCustomerCredit(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			out := make([]creditOut, 0, len(cs))
			for _, c := range cs {
				out = append(out, creditOut{Currency: c.Currency, Unapplied: core.Fixed(c.Unapplied), CreditNotes: core.Fixed(c.CreditNotes),
					Total: core.Fixed(c.Total), OpenInvoices: core.Fixed(c.OpenInvoice)})
			}
			return &core.Body[[]creditOut]{Body: out}, nil
		})
}

func (h *Handlers) registerDunning(api huma.API) {
	type schedule struct {
		Offsets []int `json:"offsets" maxItems:"10" doc:"Days past the due date at which a reminder is queued, strictly increasing, e.g. [3, 7, 14]. Empty: no reminders."`
	}
	core.Op(api, huma.Operation{OperationID: "get-dunning-schedule", Method: http.MethodGet, Path: "/api/v1/tenant/dunning", Summary: "Get the dunning schedule",
		Tags: []string{"Tenant"}},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[schedule], error) {
			o, err := h.Svc.GetDunningSchedule(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[schedule]{Body: schedule{Offsets: o}}, nil
		})
	type putIn struct {
		Body schedule
	}
	core.Op(api, huma.Operation{OperationID: "set-dunning-schedule", Method: http.MethodPut, Path: "/api/v1/tenant/dunning", Summary: "Set the dunning schedule",
		Description: "Unpaid invoices get a dunning.reminder notification once per step, on the background sweep.", Tags: []string{"Tenant"}},
		func(ctx context.Context, p access.Principal, in *putIn) (*core.Body[schedule], error) {
			o, err := h.Svc.SetDunningSchedule(ctx, p, in.Body.Offsets)
			if err != nil {
				return nil, err
			}
			return &core.Body[schedule]{Body: schedule{Offsets: o}}, nil
		})
}
