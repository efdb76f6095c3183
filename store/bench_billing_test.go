package store_test

// BenchmarkBillingRun measures a billing run over many pending sales items
// (by default 1,000,000 for 100,000 customers, and a tenth of that to show
// how it scales) on each engine, beside its reference in the same run: the
// engine doing the run's writes in bulk, with its fastest path, into the
// same tables (benchBillingReference: the invoice and line rows, the items
// marked invoiced). It reports total time, items/s, the time of each step
// of the run summed over its batches (<step>_s, service.TraceSteps), the
// peak Go heap and the peak RSS of the run. It never asserts speed.
//
// It runs only when FACTURO_BENCH_BILLING is set (seeding takes minutes):
//
//	FACTURO_BENCH_BILLING=100000:10000,1000000:100000 go test -run '^$' -bench BenchmarkBillingRun -benchtime 1x -timeout 2h ./store/
//
// The value lists items:customers pairs. Seeding is server-side INSERT …
// SELECT from one template customer and one template item made through the
// service, and is logged, not measured.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/cpuclock"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

type benchBillingSize struct{ items, customers int }

func benchBillingSizes(b *testing.B) []benchBillingSize {
	v := os.Getenv("FACTURO_BENCH_BILLING")
	if v == "" {
		b.Skip("set FACTURO_BENCH_BILLING (e.g. 100000:10000,1000000:100000) to run the billing run benchmark")
	}
	var out []benchBillingSize
	for _, part := range strings.Split(v, ",") {
		a, c, _ := strings.Cut(part, ":")
		items, err1 := strconv.Atoi(a)
		customers, err2 := strconv.Atoi(c)
		if err1 != nil || err2 != nil || items < 1 || customers < 1 {
			b.Fatalf("FACTURO_BENCH_BILLING: %q is not items:customers", part)
		}
		out = append(out, benchBillingSize{items, customers})
	}
	return out
}

func BenchmarkBillingRun(b *testing.B) {
	sizes := benchBillingSizes(b)
	for _, engine := range testdb.Engines {
		for _, sz := range sizes {
			b.Run(fmt.Sprintf("%s/items=%d/customers=%d", engine, sz.items, sz.customers), func(b *testing.B) {
				if engine == store.Postgres {
					testdb.PostgresURL(b)
				}
				for range b.N {
					benchBillingOnce(b, engine, sz)
				}
			})
		}
	}
}

func benchBillingOnce(b *testing.B, engine store.Engine, sz benchBillingSize) {
	ctx := context.Background()
	b.StopTimer()
	dsn, err := benchListDSN(b, engine)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	steps := map[string]time.Duration{}
	var stepsMu sync.Mutex
	svc := service.New(db, service.WithBillingTrace(func(step string, took time.Duration) {
		stepsMu.Lock()
		steps[step] += took
		stepsMu.Unlock()
	}))
	start := time.Now()
	p := benchBillingSeed(b, ctx, db, svc, sz)
	clear(steps)
	b.Logf("%s: seeded %d customers and %d pending items in %s", engine, sz.customers, sz.items, time.Since(start).Round(time.Millisecond))

	// The run, with its peak heap (sampled) and peak RSS (reset first).
	// Memory the seeding (or an earlier size's reference) freed goes back
	// to the system first, so the peak is the run's.
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	var peakHeap uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	b.StartTimer()
	start = time.Now()
	run, err := svc.RunBilling(ctx, p, calendar.New(2026, 5, 1), calendar.New(2026, 5, 31), false, nil, nil)
	took := time.Since(start)
	b.StopTimer()
	close(stop)
	wg.Wait()
	if err != nil {
		b.Fatal(err)
	}
	rss := benchPeakRSS()
	if run.ItemsDone != sz.items || run.Status != "completed" {
		b.Fatalf("run: %+v, want %d items", run, sz.items)
	}
	// The reference: the run's writes, in bulk.
	ref, err := benchBillingReference(ctx, db, p.TenantID)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(took.Seconds(), "run_s")
	b.ReportMetric(float64(sz.items)/took.Seconds(), "items/s")
	b.ReportMetric(ref.Seconds(), "ref_s")
	b.ReportMetric(took.Seconds()/ref.Seconds(), "x_ref")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak_heap_MiB")
	b.ReportMetric(float64(rss)/(1<<20), "peak_rss_MiB")
	var phases []string
	for _, step := range service.TraceSteps {
		if d, ok := steps[step]; ok {
			b.ReportMetric(d.Seconds(), step+"_s")
			phases = append(phases, fmt.Sprintf("%s %.2fs", step, d.Seconds()))
		}
	}
	b.Logf("%s: phases: %s", engine, strings.Join(phases, ", "))
	b.Logf("%s: run %s (%.0f items/s, %d invoices), reference %s (x%.2f), peak heap %d MiB, peak RSS %d MiB",
		engine, took.Round(time.Millisecond), float64(sz.items)/took.Seconds(), run.InvoicesCreated, ref.Round(time.Millisecond),
		took.Seconds()/ref.Seconds(), peakHeap>>20, rss>>20)
}

// benchPeakRSS reads the process's peak resident set (VmHWM) in bytes.
func benchPeakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		return 0
	}
	kb, _ := strconv.ParseUint(string(m[1]), 10, 64)
	return kb << 10
}

// benchBillingSeed makes a tenant with taxes, one template customer and one
// template item through the service, then clones them server-side.
func benchBillingSeed(b testing.TB, ctx context.Context, db *store.DB, svc *service.Service, sz benchBillingSize) access.Principal {
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Nimbus Distribución", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		b.Fatal(err)
	}
	p := access.System(ten.ID, "bench")
	must := func(_ any, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(svc.UpsertTaxCode(ctx, p, tax.Code{Code: "V21", Name: "VAT 21", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"}))
	must(svc.UpsertTaxGroup(ctx, p, tax.Group{Kind: tax.SalesGroup, Code: "DOM", Codes: []string{"V21"}}))
	must(svc.UpsertTaxGroup(ctx, p, tax.Group{Kind: tax.ItemGroup, Code: "FULL", Codes: []string{"V21"}}))
	ptr := func(s string) *string { return &s }
	cur := "EUR"
	c, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("Template"), SalesTaxGroup: ptr("DOM"),
		Billing: &service.BillingInput{LegalName: ptr("Template S.L."), Email: ptr("ap@example.com"), Currency: &cur,
			Address: &billing.Address{Line1: "Calle de Alcalá 1", City: "Madrid", PostalCode: "28014", Country: "ES"}}})
	if err != nil {
		b.Fatal(err)
	}
	prod, err := svc.CreateProduct(ctx, p, service.ProductInput{Code: ptr("M365"), Name: ptr("Microsoft 365 Business"), ChargeType: ptr("recurring"),
		DefaultPrice: ptr("12.50"), Provider: ptr("Microsoft"), ItemSalesTaxGroup: ptr("FULL")})
	if err != nil {
		b.Fatal(err)
	}
	d := calendar.New(2026, 5, 31)
	si, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &c.ID, ProductID: &prod.ID, Description: ptr("Microsoft 365 Business, May"),
		Quantity: ptr("3"), UnitPrice: ptr("12.50"), BillingDate: &d})
	if err != nil {
		b.Fatal(err)
	}
	pool := db.SQL()
	cols := func(table string) []string {
		rows, err := pool.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		names, err := rows.Columns()
		if err != nil {
			b.Fatal(err)
		}
		return names
	}
	clone := func(table, templateID string, n int, set map[string]string) {
		var sel []string
		names := cols(table)
		for _, col := range names {
			if v, ok := set[col]; ok {
				sel = append(sel, v)
			} else {
				sel = append(sel, "t."+col)
			}
		}
		q := `WITH RECURSIVE nums(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM nums WHERE n < ` + strconv.Itoa(n) + `)
			INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `) SELECT ` + strings.Join(sel, ", ") + ` FROM ` + table + ` t, nums
			WHERE t.tenant_id = '` + ten.ID + `' AND t.id = '` + templateID + `'`
		if _, err := pool.ExecContext(ctx, q); err != nil {
			b.Fatalf("clone %s: %v", table, err)
		}
	}
	num := "CAST(nums.n AS TEXT)"
	// Customer k is "cus_b<k>"; item n belongs to customer ((n-1) mod customers) + 1.
	custSet := map[string]string{"id": "'cus_b' || " + num, "number": "'B' || " + num, "name": "'Customer ' || " + num}
	for _, col := range cols("customers") {
		if col == "search" {
			custSet[col] = "'customer ' || " + num
		}
	}
	clone("customers", c.ID, sz.customers, custSet)
	clone("sales_items", si.ID, sz.items, map[string]string{"id": "'si_b' || " + num,
		"customer_id": "'cus_b' || CAST(((nums.n - 1) % " + strconv.Itoa(sz.customers) + ") + 1 AS TEXT)",
		"source_ref":  "'b' || " + num, "description": "'Microsoft 365 Business, May, seat block ' || " + num})
	// The template item is billed too: drop it so the count is exact.
	if _, err := pool.ExecContext(ctx, `DELETE FROM sales_items WHERE id = '`+si.ID+`'`); err != nil {
		b.Fatal(err)
	}
	if db.Engine() == store.Postgres {
		if _, err := pool.ExecContext(ctx, `VACUUM (ANALYZE) customers, sales_items`); err != nil {
			b.Fatal(err)
		}
	} else if _, err := pool.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return p
}

// benchBillingReference measures the engine doing, in bulk, the writes the
// run did: its invoice and line rows inserted into the real tables (their
// indexes, foreign keys and, on SQLite, the search-index trigger) and its
// items marked invoiced, set-based. Before the clock starts it reads the
// run's rows and undoes the run (rows deleted, items pending again); the
// database ends as the run left it. PostgreSQL: COPY of each table and of
// the item links into a temporary table, then one UPDATE … FROM, in one
// transaction. SQLite: prepared multi-row INSERTs in 10,000-row
// transactions, then the links into a temporary table and one UPDATE … FROM.
func benchBillingReference(ctx context.Context, db *store.DB, tenantID string) (time.Duration, error) {
	pool := db.SQL()
	pg := db.Engine() == store.Postgres
	bind := func(q string) string {
		if pg {
			return strings.ReplaceAll(q, "?", "$1")
		}
		return q
	}
	undo := func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM invoice_lines WHERE tenant_id = ?`,
			`DELETE FROM invoices WHERE tenant_id = ?`,
			`UPDATE sales_items SET status = 'pending', invoice_id = '' WHERE tenant_id = ? AND status = 'invoiced'`,
		} {
			if _, err := tx.ExecContext(ctx, bind(q), tenantID); err != nil {
				return fmt.Errorf("undo the run: %w", err)
			}
		}
		return nil
	}
	if pg {
		conn, err := pool.Conn(ctx)
		if err != nil {
			return 0, err
		}
		defer conn.Close()
		var took time.Duration
		err = conn.Raw(func(dc any) error {
			pgc := dc.(*stdlib.Conn).Conn().PgConn()
			dumps := []struct{ table, query string }{
				{"invoices", `SELECT * FROM invoices WHERE tenant_id = '` + tenantID + `'`},
				{"invoice_lines", `SELECT * FROM invoice_lines WHERE tenant_id = '` + tenantID + `'`},
				{"bench_links", `SELECT id, invoice_id FROM sales_items WHERE tenant_id = '` + tenantID + `' AND status = 'invoiced'`},
			}
			var files []*os.File
			for _, d := range dumps {
				f, err := os.CreateTemp("", "facturo-ref-*.copy")
				if err != nil {
					return err
				}
				defer os.Remove(f.Name())
				defer f.Close()
				w := bufio.NewWriterSize(f, 1<<20)
				if _, err := pgc.CopyTo(ctx, w, `COPY (`+d.query+`) TO STDOUT`); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
				files = append(files, f)
			}
			exec := func(q string) error { return pgc.Exec(ctx, q).Close() }
			if err := exec(`BEGIN`); err != nil {
				return err
			}
			for _, q := range []string{`DELETE FROM invoice_lines WHERE tenant_id = '` + tenantID + `'`, `DELETE FROM invoices WHERE tenant_id = '` + tenantID + `'`,
				`UPDATE sales_items SET status = 'pending', invoice_id = '' WHERE tenant_id = '` + tenantID + `' AND status = 'invoiced'`, `COMMIT`,
				`VACUUM (ANALYZE) invoices, invoice_lines, sales_items`} {
				if err := exec(q); err != nil {
					return fmt.Errorf("undo the run: %w", err)
				}
			}
			start := time.Now()
			if err := exec(`BEGIN`); err != nil {
				return err
			}
			if err := exec(`CREATE TEMP TABLE bench_links (item_id text PRIMARY KEY, invoice_id text NOT NULL) ON COMMIT DROP`); err != nil {
				return err
			}
			for i, d := range dumps {
				if _, err := files[i].Seek(0, io.SeekStart); err != nil {
					return err
				}
				if _, err := pgc.CopyFrom(ctx, bufio.NewReaderSize(files[i], 1<<20), `COPY `+d.table+` FROM STDIN`); err != nil {
					return fmt.Errorf("copy %s: %w", d.table, err)
				}
			}
			if err := exec(`UPDATE sales_items SET status = 'invoiced', invoice_id = l.invoice_id FROM bench_links l
				WHERE sales_items.tenant_id = '` + tenantID + `' AND sales_items.id = l.item_id AND sales_items.status = 'pending'`); err != nil {
				return err
			}
			if err := exec(`COMMIT`); err != nil {
				return err
			}
			took = time.Since(start)
			return nil
		})
		return took, err
	}
	// SQLite: the rows, read into memory; then the run undone.
	read := func(q string) ([]string, [][]any, error) {
		rows, err := pool.QueryContext(ctx, q, tenantID)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		names, _ := rows.Columns()
		var all [][]any
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, nil, err
			}
			all = append(all, vals)
		}
		return names, all, rows.Err()
	}
	invCols, invRows, err := read(`SELECT * FROM invoices WHERE tenant_id = ?`)
	if err != nil {
		return 0, err
	}
	lineCols, lineRows, err := read(`SELECT * FROM invoice_lines WHERE tenant_id = ?`)
	if err != nil {
		return 0, err
	}
	_, links, err := read(`SELECT id, invoice_id FROM sales_items WHERE tenant_id = ? AND status = 'invoiced'`)
	if err != nil {
		return 0, err
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	if err := undo(tx); err != nil {
		tx.Rollback()
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	start := time.Now()
	if err := benchSQLiteInsert(ctx, pool, "invoices", invCols, invRows); err != nil {
		return 0, err
	}
	if err := benchSQLiteInsert(ctx, pool, "invoice_lines", lineCols, lineRows); err != nil {
		return 0, err
	}
	// The writer pool has one connection: the temporary table lives on it.
	if _, err := pool.ExecContext(ctx, `CREATE TEMP TABLE bench_links (item_id text PRIMARY KEY, invoice_id text NOT NULL)`); err != nil {
		return 0, err
	}
	if err := benchSQLiteInsert(ctx, pool, "bench_links", []string{"item_id", "invoice_id"}, links); err != nil {
		return 0, err
	}
	if _, err := pool.ExecContext(ctx, `UPDATE sales_items SET status = 'invoiced', invoice_id = l.invoice_id FROM bench_links l
		WHERE sales_items.tenant_id = ? AND sales_items.id = l.item_id AND sales_items.status = 'pending'`, tenantID); err != nil {
		return 0, err
	}
	took := time.Since(start)
	_, err = pool.ExecContext(ctx, `DROP TABLE bench_links`)
	return took, err
}

// benchSQLiteInsert inserts rows with a prepared multi-row INSERT, 10,000
// rows per transaction.
func benchSQLiteInsert(ctx context.Context, pool *sql.DB, table string, names []string, all [][]any) error {
	per := max(1, 30000/len(names))
	perTx := max(per, 10_000/per*per)
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(names)), ",") + ")"
	q := func(n int) string {
		return `INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
	}
	for start := 0; start < len(all); start += perTx {
		chunk := all[start:min(start+perTx, len(all))]
		tx, err := pool.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, q(per))
		if err != nil {
			tx.Rollback()
			return err
		}
		args := make([]any, 0, per*len(names))
		for i := 0; i < len(chunk); i += per {
			part := chunk[i:min(i+per, len(chunk))]
			args = args[:0]
			for _, r := range part {
				args = append(args, r...)
			}
			if len(part) == per {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, q(len(part)), args...)
			}
			if err != nil {
				tx.Rollback()
				return err
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkBillingRunNodes measures one billing run on PostgreSQL shared by
// 1 and then 2 nodes (each its own store.Open and service, in this
// process): all start the period at once; one runs it and the others
// join it until it is complete, each billing planned batches. It reports the run's time, the
// speed-up of n nodes over one (x_1node, measured in the same run) and the
// CPU per item of this process (all nodes) and of PostgreSQL, which must
// not grow with the nodes. Sizes come from FACTURO_BENCH_BILLING, as for
// BenchmarkBillingRun:
//
//	FACTURO_BENCH_BILLING=100000:10000 go test -run '^$' -bench BenchmarkBillingRunNodes -benchtime 1x -timeout 1h ./store/
func BenchmarkBillingRunNodes(b *testing.B) {
	sizes := benchBillingSizes(b)
	testdb.PostgresURL(b)
	for _, sz := range sizes {
		var one time.Duration
		for _, nodes := range []int{1, 2} {
			b.Run(fmt.Sprintf("items=%d/customers=%d/nodes=%d", sz.items, sz.customers, nodes), func(b *testing.B) {
				for range b.N {
					took := benchBillingNodes(b, sz, nodes)
					if nodes == 1 {
						one = took
					} else if one > 0 {
						b.ReportMetric(one.Seconds()/took.Seconds(), "x_1node")
					}
				}
			})
		}
	}
}

// benchBillingNodes seeds a database, runs its period on nodes nodes and
// returns how long the run took.
func benchBillingNodes(b *testing.B, sz benchBillingSize, nodes int) time.Duration {
	ctx := context.Background()
	b.StopTimer()
	dsn, err := benchListDSN(b, store.Postgres)
	if err != nil {
		b.Fatal(err)
	}
	seedDB, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer seedDB.Close()
	if err := seedDB.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	p := benchBillingSeed(b, ctx, seedDB, service.New(seedDB), sz)
	svcs := make([]*service.Service, nodes)
	for i := range svcs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		svcs[i] = service.New(db)
	}
	from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)
	self, pg := cpuclock.Self(), cpuclock.Postgres()
	b.StartTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, nodes)
	var run service.BillingRun
	var runMu sync.Mutex
	for _, node := range svcs {
		wg.Go(func() {
			// Every node starts the period: one runs it, the others join
			// until it is complete (a join before the plan, or after the
			// last planned batch was claimed, bills nothing).
			for {
				r, err := node.RunBilling(ctx, p, from, to, false, nil, nil)
				if err != nil || r.Status == "completed" {
					runMu.Lock()
					run = r
					runMu.Unlock()
					errs <- err
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	selfCPU, pgCPU := cpuclock.Self()-self, cpuclock.Postgres()-pg
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	if run.Status != "completed" || run.ItemsDone != sz.items {
		b.Fatalf("run: %+v, want %d items", run, sz.items)
	}
	var billers int
	if err := seedDB.SQL().QueryRowContext(ctx, `SELECT count(DISTINCT done_by) FROM billing_run_batches WHERE run_id = $1`, run.ID).Scan(&billers); err != nil {
		b.Fatal(err)
	}
	perItem := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(sz.items) }
	b.ReportMetric(took.Seconds(), "run_s")
	b.ReportMetric(float64(sz.items)/took.Seconds(), "items/s")
	b.ReportMetric(perItem(selfCPU), "cpu_us/item")
	b.ReportMetric(perItem(pgCPU), "db_cpu_us/item")
	b.ReportMetric(float64(billers), "billing_nodes")
	b.Logf("%d node(s): %s, %d nodes billed batches, CPU per item %.0f µs here + %.0f µs PostgreSQL", nodes, took.Round(time.Millisecond),
		billers, perItem(selfCPU), perItem(pgCPU))
	return took
}
