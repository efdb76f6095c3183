package identitysql

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// The tenant's exchange-rate table and the groups billing runs skip for
// want of a rate.

func (t *Identity) ListExchangeRates(ctx context.Context, tenantID string, f service.ExchangeRateFilter) ([]service.ExchangeRate, error) {
	q := `SELECT currency, effective_date, ` + t.D.Dec("rate") + `, updated_at FROM exchange_rates WHERE tenant_id = ?`
	args := []any{tenantID}
	if f.Currency != "" {
		q += ` AND currency = ?`
		args = append(args, f.Currency)
	}
	if !f.From.IsZero() {
		q += ` AND effective_date >= ?`
		args = append(args, dbtx.DateArg(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND effective_date <= ?`
		args = append(args, dbtx.DateArg(f.To))
	}
	rows, err := t.Query(ctx, q+` ORDER BY currency, effective_date DESC LIMIT 10000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list exchange rates: %w", err)
	}
	defer rows.Close()
	out := []service.ExchangeRate{}
	for rows.Next() {
		var r service.ExchangeRate
		if err := rows.Scan(&r.Currency, dbtx.ScanDate(&r.Date), dbtx.ScanDec(&r.Rate), dbtx.ScanTS(&r.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("scan exchange rate: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Identity) UpsertExchangeRates(ctx context.Context, tenantID string, rates []service.ExchangeRate) error {
	for _, r := range rates {
		if _, err := t.Exec(ctx, `INSERT INTO exchange_rates (tenant_id, currency, effective_date, rate, updated_at) VALUES (?,?,?,?,?)
			ON CONFLICT (tenant_id, currency, effective_date) DO UPDATE SET rate = excluded.rate, updated_at = excluded.updated_at`,
			tenantID, r.Currency, dbtx.DateArg(r.Date), dbtx.DecArg(r.Rate), t.D.TS(r.UpdatedAt)); err != nil {
			return fmt.Errorf("set exchange rate %s %s: %w", r.Currency, r.Date, err)
		}
	}
	return nil
}

func (t *Identity) DeleteExchangeRate(ctx context.Context, tenantID, currency string, date calendar.Date) error {
	res, err := t.Exec(ctx, `DELETE FROM exchange_rates WHERE tenant_id = ? AND currency = ? AND effective_date = ?`, tenantID, currency, dbtx.DateArg(date))
	if err != nil {
		return fmt.Errorf("delete exchange rate: %w", err)
	}
	return dbtx.MustAffect(res, nil, "exchange rate", currency+" "+date.String())
}

func (t *Identity) ExchangeRateOn(ctx context.Context, tenantID, currency string, date calendar.Date) (service.ExchangeRate, bool, error) {
	var r service.ExchangeRate
	err := t.QueryRow(ctx, `SELECT currency, effective_date, `+t.D.Dec("rate")+`, updated_at FROM exchange_rates
		WHERE tenant_id = ? AND currency = ? AND effective_date <= ? ORDER BY effective_date DESC LIMIT 1`,
		tenantID, currency, dbtx.DateArg(date)).Scan(&r.Currency, dbtx.ScanDate(&r.Date), dbtx.ScanDec(&r.Rate), dbtx.ScanTS(&r.UpdatedAt))
	if dbtx.ErrNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("exchange rate of %s on %s: %w", currency, date, err)
	}
	return r, true, nil
}
