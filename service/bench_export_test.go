package service_test

// BenchmarkExportCSV streams the CSV and the detailed CSV of 100,000 issued
// invoices (three lines each) through the service's ExportInvoices on each
// engine, and reports rows per second and the peak Go heap seen while the
// first tenth of the rows and while all of them were written: equal peaks
// show that memory does not grow with the number of invoices. Set
// FACTURO_BENCH_EXPORT_INVOICES to change the number. Only -bench runs it.

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// heapWriter counts rows and samples the heap every 4,096 rows.
type heapWriter struct {
	rows          int
	firstTenth    int
	peak, peakAt  uint64
	ms            runtime.MemStats
	sinceSampling int
}

func (w *heapWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if c == '\n' {
			w.rows++
			w.sinceSampling++
		}
	}
	if w.sinceSampling >= 4096 {
		w.sinceSampling = 0
		runtime.ReadMemStats(&w.ms)
		w.peak = max(w.peak, w.ms.HeapAlloc)
		if w.rows <= w.firstTenth {
			w.peakAt = max(w.peakAt, w.ms.HeapAlloc)
		}
	}
	return len(p), nil
}

var _ io.Writer = (*heapWriter)(nil)

func BenchmarkExportCSV(b *testing.B) {
	n := 100_000
	if s := os.Getenv("FACTURO_BENCH_EXPORT_INVOICES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			if engine == store.Postgres {
				testdb.PostgresURL(b)
			}
			ctx := context.Background()
			db := testdb.Open(b, engine)
			svc := service.New(db)
			p, lines := seedExport(b, ctx, svc, db, n)
			for _, detailed := range []bool{false, true} {
				name, rows := "invoices", n
				if detailed {
					name, rows = "lines", n*lines
				}
				b.Run(name, func(b *testing.B) {
					var w heapWriter
					b.ReportAllocs()
					for b.Loop() {
						w = heapWriter{firstTenth: rows / 10}
						runtime.GC()
						if err := svc.ExportInvoices(ctx, p, service.InvoiceFilter{Statuses: []billing.Status{billing.Open}}, detailed, &w); err != nil {
							b.Fatal(err)
						}
						if w.rows != rows+1 {
							b.Fatalf("%d rows, want %d and the header", w.rows, rows)
						}
					}
					b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
					b.ReportMetric(float64(w.peakAt)/(1<<20), "MB-heap-first-10%")
					b.ReportMetric(float64(w.peak)/(1<<20), "MB-heap-all")
				})
			}
		})
	}
}

// seedExport issues one three-line invoice through the service and copies
// it n-1 times in SQL (new ids, numbers and dates), so the export reads n
// real invoices without n service calls.
//
// On SQLite the list's keyset does not seek within one invoice date (a
// row value over an expression index: see BENCHMARKS.md), so each page
// reads the rows of its date before the cursor: with all 100,000 invoices
// on one date the export is quadratic. The dates are spread to measure the
// export itself.
func seedExport(b *testing.B, ctx context.Context, svc *service.Service, db *store.DB, n int) (access.Principal, int) {
	b.Helper()
	start := time.Now()
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Export Bench", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		b.Fatal(err)
	}
	p := access.System(ten.ID, "bench")
	c, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("Construcciones Núñez"), SAPID: ptr("SAP-1"),
		Billing: &service.BillingInput{LegalName: ptr("Construcciones Núñez y Peña S.L."), Email: ptr("a@b.example"), Currency: ptr("EUR"),
			Address: &billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"}}})
	if err != nil {
		b.Fatal(err)
	}
	lines := []service.LineInput{
		{Description: "Microsoft 365 Business Premium, \"annual\"", Quantity: ptr("25"), UnitPrice: ptr("20.60"), ChargeType: "recurring"},
		{Description: "Azure consumption, febrero", Quantity: ptr("1"), UnitPrice: ptr("1234.56"), ChargeType: "usage"},
		{Description: "Soporte técnico", Quantity: ptr("3.5"), UnitPrice: ptr("65"), Discount: "10", ChargeType: "time"},
	}
	inv, err := svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: "open"}); err != nil {
		b.Fatal(err)
	}
	series := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ` + strconv.Itoa(n-1) + `)`
	from := "s"
	if db.Engine() == store.Postgres {
		series, from = "", "generate_series(1, "+strconv.Itoa(n-1)+") AS s(i)"
	}
	copyRows := func(table, idCol string, renamed map[string]string) {
		cols := tableColumns(b, ctx, db, table)
		var sel []string
		for _, col := range cols {
			if expr, ok := renamed[col]; ok {
				sel = append(sel, expr)
			} else {
				sel = append(sel, col)
			}
		}
		q := fmt.Sprintf(`%s INSERT INTO %s (%s) SELECT %s FROM %s, %s WHERE tenant_id = '%s' AND %s = '%s'`,
			series, table, strings.Join(cols, ", "), strings.Join(sel, ", "), table, from, ten.ID, idCol, inv.ID)
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			b.Fatalf("copy %s: %v", table, err)
		}
	}
	// The copies spread over 1,000 invoice dates (100 a day for 100,000),
	// newest first as the list sorts them.
	date := "date(invoice_date, '-' || (i % 1000) || ' days')"
	if db.Engine() == store.Postgres {
		date = "invoice_date - (i % 1000)"
	}
	copyRows("invoices", "id", map[string]string{"id": "id || '_' || i", "number": "number || '-' || i",
		"document_number": "document_number || '-' || i", "invoice_date": date})
	copyRows("invoice_lines", "invoice_id", map[string]string{"invoice_id": "invoice_id || '_' || i"})
	if db.Engine() == store.Postgres {
		if _, err := db.SQL().ExecContext(ctx, `VACUUM (ANALYZE) invoices, invoice_lines`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: seeded %d invoices in %s", db.Engine(), n, time.Since(start).Round(time.Millisecond))
	return p, len(lines)
}

// tableColumns lists a table's columns in order.
func tableColumns(b *testing.B, ctx context.Context, db *store.DB, table string) []string {
	b.Helper()
	q := `SELECT name FROM pragma_table_info('` + table + `') ORDER BY cid`
	if db.Engine() == store.Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '` + table + `' ORDER BY ordinal_position`
	}
	rows, err := db.SQL().QueryContext(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}
