package receivables

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// currencyCode is the currency code a payment or settlement works in: the
// code given (trimmed, upper-cased), else the customer's billing currency,
// else the accounting currency.
func currencyCode(given, customerCurrency string, accounting money.Currency) string {
	code := strings.ToUpper(strings.TrimSpace(given))
	if code == "" {
		code = customerCurrency
	}
	if code == "" {
		code = accounting.Code()
	}
	return code
}

// PaymentCurrency returns the currency a payment or a settlement of a
// customer's credit works in: the code given, else the customer's billing
// currency, else the accounting currency. An unknown code is an error on
// field currency naming the code (`currency: unknown currency "XYZ": …`).
func PaymentCurrency(given, customerCurrency string, accounting money.Currency) (money.Currency, error) {
	cur, err := money.ParseCurrency(currencyCode(given, customerCurrency, accounting))
	if err != nil {
		return money.Currency{}, fail.Field("currency", "%v", err)
	}
	return cur, nil
}

// PaymentRequest is a payment received outside the payment provider, as given.
type PaymentRequest struct {
	CustomerID   string
	Method       string
	Amount       string
	Currency     string // default: the customer's billing currency, else the accounting currency
	ExchangeRate string // required when Currency is not the accounting currency
	Date         calendar.Date
	Reference    string
}

// CheckPaymentRequest checks what can be checked before anything is read
// (method, amount, reference, customer) and returns the trimmed request
// and the amount.
func CheckPaymentRequest(in PaymentRequest) (PaymentRequest, decimal.Decimal, error) {
	var c fail.Collector
	in.Method = strings.TrimSpace(in.Method)
	if !slices.Contains(Methods, in.Method) {
		c.Add("method", "use one of %s", strings.Join(Methods, ", "))
	}
	amount := money.CollectDecimal(&c, "amount", in.Amount, "12.50")
	if strings.TrimSpace(in.Amount) == "" {
		c.Add("amount", "is required")
	} else if !amount.IsPositive() {
		c.Add("amount", "must be positive")
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if len(in.Reference) > 200 {
		c.Add("reference", "must be at most 200 characters")
	}
	if strings.TrimSpace(in.CustomerID) == "" {
		c.Add("customer_id", "is required")
	}
	return in, amount, c.Err()
}

// NewPayment checks a payment's currency, rate and date (service
// newPayment) and returns it, all unapplied. customerCurrency is the
// customer's billing currency; today the tenant's date.
func NewPayment(id string, in PaymentRequest, amount decimal.Decimal, customerCurrency string, accounting money.Currency, today calendar.Date) (Payment, error) {
	var c fail.Collector
	currency := currencyCode(in.Currency, customerCurrency, accounting)
	cur, err := PaymentCurrency(in.Currency, customerCurrency, accounting)
	if err != nil {
		c.Merge("", err)
	} else if !cur.Round(amount).Equal(amount) {
		c.Add("amount", "has more decimals than %s allows (%d)", currency, cur.Digits())
	}
	r := decimal.NewFromInt(1)
	if currency != accounting.Code() {
		if strings.TrimSpace(in.ExchangeRate) == "" {
			c.Add("exchange_rate", "is required for a payment in %s: give the rate to %s on the payment date", currency, accounting.Code())
		} else if r = money.CollectDecimal(&c, "exchange_rate", in.ExchangeRate, "1.0850"); !r.IsPositive() {
			c.Add("exchange_rate", "must be positive")
		}
	} else if strings.TrimSpace(in.ExchangeRate) != "" {
		if x, err := money.ParseDecimal(in.ExchangeRate); err != nil || !x.Equal(decimal.NewFromInt(1)) {
			c.Add("exchange_rate", "must be 1 (or omitted) for the accounting currency %s", currency)
		}
	}
	date := in.Date
	if date.IsZero() {
		date = today
	} else if date.After(today) {
		c.Add("date", "is in the future: record a payment once it is received")
	}
	if err := c.Err(); err != nil {
		return Payment{}, err
	}
	amt := money.New(amount, cur)
	rate := money.RateOf(cur, accounting, r)
	return Payment{ID: id, CustomerID: in.CustomerID, Method: in.Method, Amount: amt, Rate: rate, AmountAccounting: amt.MustConvertTo(rate),
		Unapplied: amt, Refunded: zeroOf(cur), Date: date, Reference: in.Reference}, nil
}

// RefundAmount checks the amount of a refund of pay ("" : all that is
// refundable): positive, at most what was paid and not yet refunded, in the
// currency's digits.
func RefundAmount(pay Payment, amount string) (money.Amount, error) {
	refundable := pay.Amount.MustSub(pay.Refunded)
	amt := refundable
	if strings.TrimSpace(amount) != "" {
		var c fail.Collector
		amt = money.New(money.CollectDecimal(&c, "amount", amount, "12.50"), pay.Amount.Currency())
		if err := c.Err(); err != nil {
			return money.Amount{}, err
		}
	}
	if amt.Sign() <= 0 {
		if refundable.IsZero() {
			return money.Amount{}, fail.Conflictf("payment %s is refunded in full already", pay.ID)
		}
		return money.Amount{}, fail.Field("amount", "must be positive")
	}
	if amt.Decimal().GreaterThan(refundable.Decimal()) {
		return money.Amount{}, fail.Field("amount", "is more than what can be refunded: %s %s paid, %s refunded already, at most %s",
			pay.Amount.Decimal(), pay.Amount.Currency(), pay.Refunded.Decimal(), refundable.Decimal())
	}
	if !amt.IsRounded() {
		return money.Amount{}, fail.Field("amount", "has more decimals than %s allows", pay.Amount.Currency())
	}
	return amt, nil
}

// CheckRefundReason trims a refund's reason: at most 500 characters.
func CheckRefundReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		return "", fail.Field("reason", "must be at most 500 characters")
	}
	return reason, nil
}
