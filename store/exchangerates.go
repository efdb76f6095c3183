package store

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// The tenant's exchange-rate table and the groups billing runs skip for
// want of a rate.

func (t *tx) ListExchangeRates(ctx context.Context, tenantID string, f service.ExchangeRateFilter) ([]service.ExchangeRate, error) {
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

func (t *tx) UpsertExchangeRates(ctx context.Context, tenantID string, rates []service.ExchangeRate) error {
	for _, r := range rates {
		if _, err := t.Exec(ctx, `INSERT INTO exchange_rates (tenant_id, currency, effective_date, rate, updated_at) VALUES (?,?,?,?,?)
			ON CONFLICT (tenant_id, currency, effective_date) DO UPDATE SET rate = excluded.rate, updated_at = excluded.updated_at`,
			tenantID, r.Currency, dbtx.DateArg(r.Date), dbtx.DecArg(r.Rate), t.D.TS(r.UpdatedAt)); err != nil {
			return fmt.Errorf("set exchange rate %s %s: %w", r.Currency, r.Date, err)
		}
	}
	return nil
}

func (t *tx) DeleteExchangeRate(ctx context.Context, tenantID, currency string, date calendar.Date) error {
	res, err := t.Exec(ctx, `DELETE FROM exchange_rates WHERE tenant_id = ? AND currency = ? AND effective_date = ?`, tenantID, currency, dbtx.DateArg(date))
	if err != nil {
		return fmt.Errorf("delete exchange rate: %w", err)
	}
	return dbtx.MustAffect(res, nil, "exchange rate", currency+" "+date.String())
}

func (t *tx) ExchangeRateOn(ctx context.Context, tenantID, currency string, date calendar.Date) (service.ExchangeRate, bool, error) {
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

func (t *tx) SetBillingRunSkips(ctx context.Context, tenantID, runID string, accounts []string, skips []service.SkippedGroup) error {
	for start := 0; start < len(accounts); start += 500 {
		batch := accounts[start:min(start+500, len(accounts))]
		args := []any{tenantID, runID}
		for _, a := range batch {
			args = append(args, a)
		}
		if _, err := t.Exec(ctx, `DELETE FROM billing_run_skips WHERE tenant_id = ? AND run_id = ? AND account_id IN (`+dbtx.Placeholders(len(batch))+`)`,
			args...); err != nil {
			return fmt.Errorf("clear skipped groups: %w", err)
		}
	}
	for _, s := range skips {
		if _, err := t.Exec(ctx, `INSERT INTO billing_run_skips (tenant_id, run_id, account_id, customer_number, customer_name, provider, currency, items, reason, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, run_id, account_id, provider, currency)
			DO UPDATE SET items = excluded.items, reason = excluded.reason`,
			tenantID, runID, s.AccountID, s.CustomerNumber, s.CustomerName, s.Provider, s.Currency, s.Items, s.Reason, t.D.TS(s.At)); err != nil {
			return fmt.Errorf("record skipped group: %w", err)
		}
	}
	return nil
}

func (t *tx) BillingRunSkips(ctx context.Context, tenantID string, runIDs []string) (map[string][]service.SkippedGroup, error) {
	out := map[string][]service.SkippedGroup{}
	if len(runIDs) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, id := range runIDs {
		args = append(args, id)
	}
	rows, err := t.Query(ctx, `SELECT run_id, account_id, customer_number, customer_name, provider, currency, items, reason FROM billing_run_skips
		WHERE tenant_id = ? AND run_id IN (`+dbtx.Placeholders(len(runIDs))+`) ORDER BY run_id, customer_number, account_id, provider, currency`, args...)
	if err != nil {
		return nil, fmt.Errorf("skipped groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var run string
		var s service.SkippedGroup
		if err := rows.Scan(&run, &s.AccountID, &s.CustomerNumber, &s.CustomerName, &s.Provider, &s.Currency, &s.Items, &s.Reason); err != nil {
			return nil, fmt.Errorf("scan skipped group: %w", err)
		}
		out[run] = append(out[run], s)
	}
	return out, rows.Err()
}
