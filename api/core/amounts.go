package core

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// Amount renders an amount with exactly the currency's digits (money.Fixed).
func Amount(d decimal.Decimal, cur string) string { return money.Fixed(d, cur) }

// Fixed renders a with exactly its currency's digits (money.Fixed).
func Fixed(a money.Amount) string { return a.Fixed() }

// Accounting is the caller's tenant's accounting currency, for the
// *_accounting amounts of an output.
func Accounting(ctx context.Context, svc *service.Service, p access.Principal) (string, error) {
	return svc.AccountingCurrency(ctx, p)
}

// AccountingOrBlank is Accounting for outputs of a change already made: ""
// (amounts written as they are) if the tenant cannot be read.
func AccountingOrBlank(ctx context.Context, svc *service.Service, p access.Principal) string {
	code, _ := Accounting(ctx, svc, p)
	return code
}
