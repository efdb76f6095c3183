package bookkeeping

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase"
)

// ExchangeRateStore persists the tenant's exchange-rate table.
type ExchangeRateStore interface {
	// ListExchangeRates lists rates by currency, then date (newest first).
	ListExchangeRates(ctx context.Context, tenantID string, f ExchangeRateFilter) ([]ExchangeRate, error)
	// UpsertExchangeRates sets the rates of their currency and date.
	UpsertExchangeRates(ctx context.Context, tenantID string, rates []ExchangeRate) error
	// DeleteExchangeRate deletes one rate; not_found if there is none.
	DeleteExchangeRate(ctx context.Context, tenantID, currency string, date calendar.Date) error
	// ExchangeRateOn returns the latest rate of currency effective on or
	// before date, and false if there is none.
	ExchangeRateOn(ctx context.Context, tenantID, currency string, date calendar.Date) (ExchangeRate, bool, error)
}

// ExchangeRate is one row of the tenant's exchange-rate table: how many
// units of the ledger currency one unit of Currency is worth, effective
// from Date until the currency's next rate.
type ExchangeRate struct {
	Currency  string          `json:"currency"`
	Date      calendar.Date   `json:"date"`
	Rate      decimal.Decimal `json:"rate" money:"-"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// ExchangeRateFilter narrows the list of rates; zero fields match all.
type ExchangeRateFilter struct {
	Currency string
	From, To calendar.Date // effective dates, inclusive
}

// ExchangeRateInput is one rate as given by a user: a form, the API or a
// CSV row.
type ExchangeRateInput struct {
	Currency, Date, Rate string
	Line                 int    // the CSV line, 0 for a single rate
	Bad                  string // why the row could not be read, if it could not
}

// parseExchangeRate is the one validation of a rate of the table: an ISO
// 4217 currency other than the ledger currency, a date, and an exact
// decimal above zero with at most 10 decimals (billing.Invoice's rule).
func parseExchangeRate(c *fail.Collector, prefix string, in ExchangeRateInput, ledgerCurrency string) ExchangeRate {
	var r ExchangeRate
	cur := strings.ToUpper(strings.TrimSpace(in.Currency))
	if _, err := money.ParseCurrency(cur); err != nil {
		c.Add(prefix+"currency", "%v", err)
	} else if cur == ledgerCurrency {
		c.Add(prefix+"currency", "%s is the ledger currency: its rate is always 1", cur)
	}
	r.Currency = cur
	d, err := calendar.Parse(strings.TrimSpace(in.Date))
	if err != nil {
		c.Add(prefix+"date", "%q is not a date such as 2026-01-31", in.Date)
	}
	r.Date = d
	rate, err := money.ReadDecimal(prefix+"rate", strings.TrimSpace(in.Rate), "0.92")
	switch {
	case err != nil:
		c.Merge("", err)
	case !rate.IsPositive():
		c.Add(prefix+"rate", "must be above zero: how many %s one %s is worth", ledgerCurrency, cur)
	case rate.Exponent() < -10:
		c.Add(prefix+"rate", "at most 10 decimals")
	}
	r.Rate = rate
	return r
}

// ledgerCurrency returns the tenant's ledger (accounting) currency.
func ledgerCurrency(ctx context.Context, tx TenantReader, tenantID string) (string, error) {
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return "", err
	}
	return t.Currency, nil
}

// ListExchangeRates lists the tenant's exchange-rate table (every staff
// role but engineers).
func (s *Service) ListExchangeRates(ctx context.Context, p access.Principal, f ExchangeRateFilter) ([]ExchangeRate, error) {
	if err := p.Require(access.ReadExchangeRates); err != nil {
		return nil, err
	}
	if f.Currency != "" {
		f.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
		if _, err := money.ParseCurrency(f.Currency); err != nil {
			return nil, fail.Field("currency", "%v", err)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, fail.Field("to", "is before from %s", f.From)
	}
	var out []ExchangeRate
	err := s.rates.Store.Read(ctx, func(tx RatesTx) error {
		var err error
		out, err = tx.ListExchangeRates(ctx, p.TenantID, f)
		return err
	})
	return out, err
}

// SetExchangeRate sets the rate of a currency effective from a date
// (administrator, director, finance manager: the ledger roles).
func (s *Service) SetExchangeRate(ctx context.Context, p access.Principal, in ExchangeRateInput) (ExchangeRate, error) {
	rs, err := s.setExchangeRates(ctx, p, []ExchangeRateInput{in}, "exchange_rate.saved")
	if err != nil || len(rs) == 0 {
		return ExchangeRate{}, err
	}
	return rs[0], nil
}

// ImportExchangeRates sets many rates at once (a CSV file): all or nothing.
// Every bad row is named by its line ("line 3.rate"), as is a currency and
// date given twice.
func (s *Service) ImportExchangeRates(ctx context.Context, p access.Principal, rows []ExchangeRateInput) (int, error) {
	if err := p.Require(access.ManageExchangeRates); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, fail.Field("file", "has no rates: give a header currency,date,rate and one rate per line")
	}
	rs, err := s.setExchangeRates(ctx, p, rows, "exchange_rates.imported")
	return len(rs), err
}

func (s *Service) setExchangeRates(ctx context.Context, p access.Principal, rows []ExchangeRateInput, action string) ([]ExchangeRate, error) {
	return usecase.Write(ctx, s.rates, p, access.ManageExchangeRates, nil, func(tx RatesTx) ([]ExchangeRate, usecase.Audit, error) {
		ledger, err := ledgerCurrency(ctx, tx, p.TenantID)
		if err != nil {
			return nil, usecase.Audit{}, err
		}
		var c fail.Collector
		seen := map[string]int{}
		now := s.now()
		out := make([]ExchangeRate, 0, len(rows))
		for _, row := range rows {
			prefix := ""
			if row.Line > 0 {
				prefix = fmt.Sprintf("line %d.", row.Line)
			}
			if row.Bad != "" {
				c.Add(fmt.Sprintf("line %d", row.Line), "%s", row.Bad)
				continue
			}
			r := parseExchangeRate(&c, prefix, row, ledger)
			r.UpdatedAt = now
			key := r.Currency + " " + r.Date.String()
			if first, ok := seen[key]; ok && row.Line > 0 {
				c.Add(fmt.Sprintf("line %d", row.Line), "repeats the %s rate of %s given on line %d", r.Currency, r.Date, first)
			}
			seen[key] = row.Line
			out = append(out, r)
		}
		if err := c.Err(); err != nil {
			return nil, usecase.Audit{}, err
		}
		if err := tx.UpsertExchangeRates(ctx, p.TenantID, out); err != nil {
			return nil, usecase.Audit{}, err
		}
		if len(out) == 1 {
			return out, usecase.Entry(action, "exchange_rate", out[0].Currency+"@"+out[0].Date.String(), out[0]), nil
		}
		return out, usecase.Entry(action, "exchange_rate", "", map[string]any{"rates": len(out)}), nil
	})
}

// DeleteExchangeRate deletes the rate of a currency and date.
func (s *Service) DeleteExchangeRate(ctx context.Context, p access.Principal, currency, date string) error {
	cur := strings.ToUpper(strings.TrimSpace(currency))
	var d calendar.Date
	check := func() error {
		var err error
		if d, err = calendar.Parse(strings.TrimSpace(date)); err != nil {
			return fail.Field("date", "%q is not a date such as 2026-01-31", date)
		}
		return nil
	}
	_, err := usecase.Write(ctx, s.rates, p, access.ManageExchangeRates, check, func(tx RatesTx) (struct{}, usecase.Audit, error) {
		if err := tx.DeleteExchangeRate(ctx, p.TenantID, cur, d); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("exchange_rate.deleted", "exchange_rate", cur+"@"+d.String(), nil), nil
	})
	return err
}

// RateReader finds the rate of the tenant's table effective at a date.
type RateReader interface {
	ExchangeRateOn(ctx context.Context, tenantID, currency string, date calendar.Date) (ExchangeRate, bool, error)
}

// RateFor is the one rule for the rate of a document in currency
// dated date: 1 for the ledger currency; else the rate given explicitly
// (explicit, e.g. a billing run's exchange_rates), else the latest rate of
// the tenant's table on or before date. ok is false when there is none.
func RateFor(ctx context.Context, tx RateReader, tenant billing.Tenant, explicit map[string]string, currency string, date calendar.Date) (decimal.Decimal, bool, error) {
	if currency == tenant.Currency {
		return decimal.NewFromInt(1), true, nil
	}
	if r, ok := explicit[currency]; ok {
		d, err := money.ReadDecimal("exchange_rates."+currency, r, "0.92")
		if err != nil {
			return decimal.Zero, false, err
		}
		return d, true, nil
	}
	r, ok, err := tx.ExchangeRateOn(ctx, tenant.ID, currency, date)
	if err != nil || !ok {
		return decimal.Zero, false, err
	}
	return r.Rate, true, nil
}

// NoRateOf reads back the currency and date of a reason NoRateReason
// wrote, so that pages can say it in the reader's language; false for any
// other text.
func NoRateOf(reason string) (string, calendar.Date, bool) {
	rest, ok := strings.CutPrefix(reason, "no exchange rate for ")
	if !ok {
		return "", calendar.Date{}, false
	}
	currency, rest, ok := strings.Cut(rest, " on ")
	day, _, ok2 := strings.Cut(rest, ":")
	date, err := calendar.Parse(day)
	if !ok || !ok2 || err != nil || NoRateReason(currency, date) != reason {
		return "", calendar.Date{}, false
	}
	return currency, date, true
}

// NoRateReason says why a group in currency was not billed (NoRateOf
// reads it back).
func NoRateReason(currency string, date calendar.Date) string {
	return fmt.Sprintf("no exchange rate for %s on %s: add one to the exchange-rate table (Settings, or PUT /api/v1/exchange-rates/%s/%s) and run again",
		currency, date, currency, date)
}

// DefaultExchangeRate gives a draft in a foreign currency without a rate
// the table's rate of its invoice date (RateFor); without one the
// draft's own rule asks for the rate.
func DefaultExchangeRate(ctx context.Context, tx RateReader, tenant billing.Tenant, inv *billing.Invoice, billTo billing.Customer) error {
	if !inv.ExchangeRate.IsZero() || inv.InvoiceDate.IsZero() {
		return nil
	}
	cur := inv.CurrencyFor(billTo, tenant)
	if cur == tenant.Currency {
		return nil
	}
	if _, err := money.ParseCurrency(cur); err != nil {
		return nil // the draft's rules name the currency
	}
	rate, ok, err := RateFor(ctx, tx, tenant, nil, cur, inv.InvoiceDate)
	if err != nil || !ok {
		return err
	}
	inv.ExchangeRate = rate
	return nil
}

// exchangeRateCSVColumns is the header of an exchange-rate CSV file.
var exchangeRateCSVColumns = []string{"currency", "date", "rate"}

// ParseExchangeRatesCSV reads an exchange-rate CSV file (header
// currency,date,rate, in any order and case) into rows numbered by their
// line in the file; an unreadable row is kept with its error so that the
// import names every bad line at once.
func ParseExchangeRatesCSV(r io.Reader) ([]ExchangeRateInput, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fail.Field("file", "the file has no header row: %s", strings.Join(exchangeRateCSVColumns, ","))
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range exchangeRateCSVColumns {
		if _, ok := idx[c]; !ok {
			return nil, fail.Field("file", "the header lacks %q; it needs %s", c, strings.Join(exchangeRateCSVColumns, ","))
		}
	}
	get := func(row []string, col string) string {
		if i := idx[col]; i < len(row) {
			return row[i]
		}
		return ""
	}
	var rows []ExchangeRateInput
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fail.Field("file", "could not be read: %v", err)
			}
			rows = append(rows, ExchangeRateInput{Line: pe.StartLine, Bad: "unreadable CSV row: " + pe.Err.Error()})
			continue
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, ExchangeRateInput{Line: line, Currency: get(row, "currency"), Date: get(row, "date"), Rate: get(row, "rate")})
	}
	return rows, nil
}
