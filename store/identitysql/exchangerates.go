package identitysql

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// The tenant's exchange-rate table and the groups billing runs skip for
// want of a rate.

// exchangeRateOf is the exchange rate a row holds.
func exchangeRateOf(r sqlitesql.ExchangeRate, p *dbtx.Parse) service.ExchangeRate {
	return service.ExchangeRate{Currency: r.Currency, Date: p.Date(r.EffectiveDate), Rate: p.Dec(r.Rate), UpdatedAt: r.UpdatedAt.UTC()}
}

func (t *Identity) ListExchangeRates(ctx context.Context, tenantID string, f service.ExchangeRateFilter) ([]service.ExchangeRate, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if f.Currency != "" {
		w.And("currency = ?", f.Currency)
	}
	if !f.From.IsZero() {
		w.And("effective_date >= ?", dbtx.DateArg(f.From))
	}
	if !f.To.IsZero() {
		w.And("effective_date <= ?", dbtx.DateArg(f.To))
	}
	rows, err := t.Query(ctx, `SELECT * FROM exchange_rates WHERE `+w.String()+` ORDER BY currency, effective_date DESC LIMIT 10000`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list exchange rates: %w", err)
	}
	rs, err := dbtx.ScanRows[sqlitesql.ExchangeRate](rows)
	if err != nil {
		return nil, err
	}
	var p dbtx.Parse
	out := make([]service.ExchangeRate, 0, len(rs))
	for _, r := range rs {
		out = append(out, exchangeRateOf(r, &p))
	}
	if p.Err != nil {
		return nil, fmt.Errorf("exchange rates: %w", p.Err)
	}
	return out, nil
}

func (t *Identity) UpsertExchangeRates(ctx context.Context, tenantID string, rates []service.ExchangeRate) error {
	q := enginesql.For(t.Tx)
	for _, r := range rates {
		if err := q.UpsertExchangeRate(ctx, sqlitesql.UpsertExchangeRateParams{TenantID: tenantID, Currency: r.Currency,
			EffectiveDate: dbtx.DateText(r.Date), Rate: r.Rate.String(), UpdatedAt: dbtx.TimeOf(r.UpdatedAt)}); err != nil {
			return fmt.Errorf("set exchange rate %s %s: %w", r.Currency, r.Date, err)
		}
	}
	return nil
}

func (t *Identity) DeleteExchangeRate(ctx context.Context, tenantID, currency string, date calendar.Date) error {
	n, err := enginesql.For(t.Tx).DeleteExchangeRate(ctx, sqlitesql.DeleteExchangeRateParams{TenantID: tenantID, Currency: currency,
		EffectiveDate: dbtx.DateText(date)})
	if err != nil {
		return fmt.Errorf("delete exchange rate: %w", err)
	}
	return dbtx.MustAffectRows(n, nil, "exchange rate", currency+" "+date.String())
}

func (t *Identity) ExchangeRateOn(ctx context.Context, tenantID, currency string, date calendar.Date) (service.ExchangeRate, bool, error) {
	rows, err := enginesql.For(t.Tx).ExchangeRateOn(ctx, sqlitesql.ExchangeRateOnParams{TenantID: tenantID, Currency: currency,
		EffectiveDate: dbtx.DateText(date)})
	if err != nil {
		return service.ExchangeRate{}, false, fmt.Errorf("exchange rate of %s on %s: %w", currency, date, err)
	}
	if len(rows) == 0 {
		return service.ExchangeRate{}, false, nil
	}
	var p dbtx.Parse
	r := exchangeRateOf(rows[0], &p)
	if p.Err != nil {
		return service.ExchangeRate{}, false, fmt.Errorf("exchange rate of %s on %s: %w", currency, date, p.Err)
	}
	return r, true, nil
}
