package store_test

// The guards of issue 14 §2 "a stock sqlite3 shell can update any table":
// no schema object calls a function Facturo registers (a stock tool fails
// with "no such function"), no PostgreSQL trigger calls a function that is
// not built in, and the receivable dues, which triggers kept until
// migration 00019, are kept by Go on every write path of invoices.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/store/dbtx"
)

// facturoCall matches a call of one of Facturo's registered SQLite
// functions in SQL text.
func facturoCall() *regexp.Regexp {
	names := dbtx.SQLiteFunctions()
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`(?i)\b(` + strings.Join(names, "|") + `)\s*\(`)
}

func TestSQLiteFunctionsListsTheRegistrations(t *testing.T) {
	t.Parallel()
	names := dbtx.SQLiteFunctions()
	for _, want := range []string{"dec_sum", "dec_add", "dec_sub", "dec_key", "dec_neg"} {
		if !slices.Contains(names, want) {
			t.Errorf("dbtx.SQLiteFunctions() = %v: no %s", names, want)
		}
	}
	// The detector finds what the schema of 00012 and 00015 held.
	call := facturoCall()
	for _, sql := range []string{"CREATE INDEX x ON invoices (tenant_id, dec_key(total), id)",
		"UPDATE receivable_dues SET debit = DEC_SUB (debit, '1')"} {
		if !call.MatchString(sql) {
			t.Errorf("no Facturo function found in %q", sql)
		}
	}
	if call.MatchString("CREATE INDEX x ON invoices (tenant_id, total_key, id)") {
		t.Error("a column named like a function's prefix counts as a call")
	}
}

// TestSchemaCallsNoFacturoFunction migrates each engine and reads the schema
// back: on SQLite no table (CHECK, default, generated column), index,
// trigger or view calls a function of dbtx.SQLiteFunctions; on PostgreSQL no
// trigger of Facturo's tables runs a function outside pg_catalog but
// tenant_config_changed (migration 00021), which only sets a tenant's
// configuration version so that every node's cache (store/configcache)
// sees a change made with psql too; it computes nothing a rule decides.
func TestSchemaCallsNoFacturoFunction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db := testdb.Open(t, store.SQLite)
		rows, err := db.SQL().QueryContext(ctx, `SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		call := facturoCall()
		n := 0
		for rows.Next() {
			var typ, name, sql string
			if err := rows.Scan(&typ, &name, &sql); err != nil {
				t.Fatal(err)
			}
			n++
			if m := call.FindString(sql); m != "" {
				t.Errorf("%s %s calls %s), which only Facturo's connections have: %s", typ, name, m, sql)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n < 20 {
			t.Fatalf("the schema has %d objects: not migrated?", n)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db := testdb.Open(t, store.Postgres)
		rows, err := db.SQL().QueryContext(ctx, `SELECT c.relname, tg.tgname, pn.nspname || '.' || p.proname
			FROM pg_trigger tg
			JOIN pg_class c ON c.oid = tg.tgrelid
			JOIN pg_namespace cn ON cn.oid = c.relnamespace
			JOIN pg_proc p ON p.oid = tg.tgfoid
			JOIN pg_namespace pn ON pn.oid = p.pronamespace
			WHERE NOT tg.tgisinternal AND cn.nspname = current_schema() AND pn.nspname <> 'pg_catalog'
			  AND p.proname <> 'tenant_config_changed'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var table, trigger, fn string
			if err := rows.Scan(&table, &trigger, &fn); err != nil {
				t.Fatal(err)
			}
			t.Errorf("trigger %s on %s runs %s, not a built-in function", trigger, table, fn)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		var tables int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relname = 'receivable_dues'`).Scan(&tables); err != nil || tables != 1 {
			t.Fatalf("receivable_dues in the current schema: %d, %v (the query reads the wrong schema?)", tables, err)
		}
	})
}

// TestPlainSQLiteUpdatesInvoices opens a migrated SQLite file through a
// plain connection, without Facturo's store, and changes an invoice's due
// date and deletes one, as a support engineer would; with the sqlite3 shell
// too when it is installed (a connection of the modernc driver in this
// process has Facturo's functions, which it registers for every
// connection: TestSchemaCallsNoFacturoFunction is the guard that holds
// without the shell). Reopened by Facturo, the dues follow once rebuilt.
func TestPlainSQLiteUpdatesInvoices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.DSN(t, store.SQLite)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ten := insertTenant(t, db)
	c := insertCustomer(t, db, ten.ID, nil)
	invs := []billing.Invoice{dueInvoice(ten.ID, c.ID, billing.Open, billing.KindInvoice, "100.50", calendar.New(2025, 3, 1)),
		dueInvoice(ten.ID, c.ID, billing.PastDue, billing.KindInvoice, "20", calendar.New(2025, 2, 1)),
		dueInvoice(ten.ID, c.ID, billing.Open, billing.KindInvoice, "7.25", calendar.New(2025, 4, 1))}
	mustWrite(t, db, func(tx service.Tx) error {
		for _, inv := range invs {
			if err := tx.InsertInvoice(ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	statements := []string{
		fmt.Sprintf(`UPDATE invoices SET due_date = '2030-01-31' WHERE tenant_id = '%s' AND id = '%s'`, ten.ID, invs[0].ID),
		fmt.Sprintf(`DELETE FROM invoices WHERE tenant_id = '%s' AND id = '%s'`, ten.ID, invs[1].ID),
	}
	if shell, err := exec.LookPath("sqlite3"); err == nil {
		out, err := exec.CommandContext(ctx, shell, path, strings.Join(statements, ";\n")+";").CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Fatalf("sqlite3 shell: %v: %s", err, out)
		}
		statements = []string{fmt.Sprintf(`UPDATE invoices SET due_date = '2031-06-30' WHERE tenant_id = '%s' AND id = '%s'`, ten.ID, invs[2].ID)}
	} else {
		if os.Getenv("CI") == "true" {
			t.Fatal("no sqlite3 shell on PATH: CI must check that a stock sqlite3 shell updates invoices (.ci/run installs it)")
		}
		t.Log("no sqlite3 shell on PATH: only the plain connection runs")
	}
	plain, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range statements {
		if _, err := plain.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := plain.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.RebuildSummaries(ctx); err != nil {
		t.Fatal(err)
	}
	got := duesRows(t, db, "receivable_dues")
	if len(got) != 2 || !slices.ContainsFunc(got, func(r string) bool { return strings.Contains(r, "2030-01-31") }) {
		t.Fatalf("receivable dues after the shell's changes and a rebuild: %v", got)
	}
}

// dueInvoice is a document for the dues tests.
func dueInvoice(tenantID, customerID string, status billing.Status, kind billing.Kind, balance string, due calendar.Date) billing.Invoice {
	b := decimal.RequireFromString(balance)
	inv := billing.Invoice{ID: id.NewAt(id.Invoice, at(0)), TenantID: tenantID, Kind: kind, Status: status,
		DocumentNumber: "D-" + uniq(), Number: "INV-" + uniq(), CustomerID: customerID, InvoiceAccountID: customerID,
		InvoiceDate: calendar.New(2025, 1, 15), DueDate: due, Currency: "EUR", ExchangeRate: decimal.NewFromInt(1), Language: "es",
		TaxMode: "per_code", CreatedAt: at(0), UpdatedAt: at(0)}
	inv.Net, inv.Total, inv.Balance, inv.TotalAccounting, inv.BalanceAccounting = money.In(b, "EUR"), money.In(b, "EUR"), money.In(b, "EUR"), money.In(b, "EUR"), money.In(b, "EUR")
	return inv
}

// duesRows reads a dues table as sorted text rows, amounts normalized.
func duesRows(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	key := "''"
	if table == "receivable_account_dues" {
		key = "account_id"
	}
	rows, err := db.SQL().Query(`SELECT tenant_id, ` + key + `, due_date, documents, debit, credit FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tenant, account string
		var due calendar.Date
		var docs int
		var debit, credit decimal.Decimal
		if err := rows.Scan(&tenant, &account, dbtx.ScanDate(&due), &docs, dbtx.ScanDec(&debit), dbtx.ScanDec(&credit)); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s docs=%d debit=%s credit=%s", tenant, account, due, docs, debit.String(), credit.String()))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// duesWriter is the store transaction's invoice writes that the service's
// areas reach through their own interfaces.
type duesWriter interface {
	InsertInvoices(ctx context.Context, invs []billing.Invoice) error
	UpdateInvoiceSettlement(ctx context.Context, inv billing.Invoice) error
}

// TestReceivableDuesKeptByGo writes invoices through every write path of
// the store (insert, bulk insert, update of status, kind, due date,
// balance and bill-to account, settlement, delete), then checks the dues
// the writes kept against a rebuild from the invoices, on both engines.
func TestReceivableDuesKeptByGo(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		ten := insertTenant(t, db)
		a := insertCustomer(t, db, ten.ID, nil)
		b := insertCustomer(t, db, ten.ID, nil)
		mar, apr := calendar.New(2025, 3, 1), calendar.New(2025, 4, 1)
		invs := []billing.Invoice{
			dueInvoice(ten.ID, a.ID, billing.Open, billing.KindInvoice, "100.50", mar),
			dueInvoice(ten.ID, a.ID, billing.PastDue, billing.KindInvoice, "20", mar),
			dueInvoice(ten.ID, a.ID, billing.Open, billing.KindCreditNote, "7.25", mar),
			dueInvoice(ten.ID, b.ID, billing.Open, billing.KindInvoice, "9007199254740993.01", calendar.Date{}),
			dueInvoice(ten.ID, b.ID, billing.Draft, billing.KindInvoice, "5", apr),
			dueInvoice(ten.ID, b.ID, billing.Closed, billing.KindInvoice, "0", apr),
		}
		bulk := []billing.Invoice{
			dueInvoice(ten.ID, a.ID, billing.Open, billing.KindInvoice, "1.10", apr),
			dueInvoice(ten.ID, b.ID, billing.Open, billing.KindInvoice, "2.20", apr),
			dueInvoice(ten.ID, b.ID, billing.Open, billing.KindCreditNote, "0.30", apr),
		}
		mustWrite(t, db, func(tx service.Tx) error {
			for _, inv := range invs {
				if err := tx.InsertInvoice(ctx, inv); err != nil {
					return err
				}
			}
			return tx.(duesWriter).InsertInvoices(ctx, bulk)
		})
		check := func(step string) { t.Helper(); checkDuesKept(t, db, step) }
		check("inserts")

		steps := []struct {
			name string
			edit func(*billing.Invoice)
			i    int
		}{
			{"due date", func(inv *billing.Invoice) { inv.DueDate = apr }, 0},
			{"no due date", func(inv *billing.Invoice) { inv.DueDate = calendar.Date{} }, 1},
			{"kind", func(inv *billing.Invoice) { inv.Kind = billing.KindCreditNote }, 0},
			{"balance", func(inv *billing.Invoice) {
				inv.BalanceAccounting = money.In(decimal.RequireFromString("3.333"), "EUR")
			}, 2},
			{"account", func(inv *billing.Invoice) { inv.InvoiceAccountID = b.ID }, 1},
			{"issue a draft", func(inv *billing.Invoice) { inv.Status = billing.Open }, 4},
			{"void", func(inv *billing.Invoice) { inv.Status = billing.Void }, 3},
			{"nothing the dues read", func(inv *billing.Invoice) { inv.Notes = "changed" }, 2},
		}
		for _, s := range steps {
			s.edit(&invs[s.i])
			mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateInvoice(ctx, invs[s.i]) })
			check(s.name)
		}
		settled := invs[2]
		settled.Status, settled.Paid, settled.Balance, settled.BalanceAccounting = billing.Closed, settled.Total, money.In(decimal.Zero, "EUR"), money.In(decimal.Zero, "EUR")
		mustWrite(t, db, func(tx service.Tx) error { return tx.(duesWriter).UpdateInvoiceSettlement(ctx, settled) })
		check("settle")
		part := bulk[1]
		part.Paid, part.Balance, part.BalanceAccounting = money.In(decimal.RequireFromString("1"), "EUR"), money.In(decimal.RequireFromString("1.20"), "EUR"), money.In(decimal.RequireFromString("1.20"), "EUR")
		mustWrite(t, db, func(tx service.Tx) error { return tx.(duesWriter).UpdateInvoiceSettlement(ctx, part) })
		check("part payment")
		mustWrite(t, db, func(tx service.Tx) error { return tx.DeleteInvoice(ctx, ten.ID, invs[4].ID) })
		check("delete")
		mustWrite(t, db, func(tx service.Tx) error { return tx.DeleteInvoice(ctx, ten.ID, invs[5].ID) })
		check("delete of a closed document")
	})
}

// TestReceivableDuesKeptInOneTransaction: the writes of
// TestReceivableDuesKeptByGo, several on one document, all in one
// transaction (which remembers what it wrote or read locked instead of
// reading it again), keep the dues a rebuild gives, on both engines.
func TestReceivableDuesKeptInOneTransaction(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		ten := insertTenant(t, db)
		a := insertCustomer(t, db, ten.ID, nil)
		b := insertCustomer(t, db, ten.ID, nil)
		mar, apr := calendar.New(2025, 3, 1), calendar.New(2025, 4, 1)
		inv := dueInvoice(ten.ID, a.ID, billing.Draft, billing.KindInvoice, "100.50", mar)
		other := dueInvoice(ten.ID, b.ID, billing.Open, billing.KindInvoice, "20", apr)
		gone := dueInvoice(ten.ID, b.ID, billing.Open, billing.KindInvoice, "7", apr)
		bulk := []billing.Invoice{dueInvoice(ten.ID, a.ID, billing.Open, billing.KindInvoice, "1.10", apr)}
		mustWrite(t, db, func(tx service.Tx) error { return tx.InsertInvoice(ctx, other) })
		mustWrite(t, db, func(tx service.Tx) error {
			for _, v := range []billing.Invoice{inv, gone} {
				if err := tx.InsertInvoice(ctx, v); err != nil {
					return err
				}
			}
			if err := tx.(duesWriter).InsertInvoices(ctx, bulk); err != nil {
				return err
			}
			inv.Status = billing.Open // issued after its insert
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return err
			}
			inv.DueDate = apr
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return err
			}
			settled := inv
			settled.Paid, settled.Balance, settled.BalanceAccounting = money.In(decimal.RequireFromString("50"), "EUR"),
				money.In(decimal.RequireFromString("50.50"), "EUR"), money.In(decimal.RequireFromString("50.50"), "EUR")
			if err := tx.(duesWriter).UpdateInvoiceSettlement(ctx, settled); err != nil {
				return err
			}
			inv = settled
			inv.InvoiceAccountID = b.ID
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return err
			}
			read, err := tx.GetInvoiceForUpdate(ctx, ten.ID, other.ID) // read locked, then changed
			if err != nil {
				return err
			}
			read.DueDate = mar
			if err := tx.UpdateInvoice(ctx, read); err != nil {
				return err
			}
			b0 := bulk[0]
			b0.Status = billing.Void
			if err := tx.UpdateInvoice(ctx, b0); err != nil {
				return err
			}
			return tx.DeleteInvoice(ctx, ten.ID, gone.ID)
		})
		checkDuesKept(t, db, "the transaction")
	})
}

// checkDuesKept compares the receivable dues the writes kept with a
// rebuild from the invoices, after step.
func checkDuesKept(t *testing.T, db *store.DB, step string) {
	t.Helper()
	kept := [2][]string{duesRows(t, db, "receivable_dues"), duesRows(t, db, "receivable_account_dues")}
	if err := db.RebuildSummaries(context.Background()); err != nil {
		t.Fatal(err)
	}
	rebuilt := [2][]string{duesRows(t, db, "receivable_dues"), duesRows(t, db, "receivable_account_dues")}
	if !slices.Equal(kept[0], rebuilt[0]) || !slices.Equal(kept[1], rebuilt[1]) {
		t.Fatalf("after %s the dues kept are\n%s\nbut the invoices sum to\n%s", step,
			strings.Join(slices.Concat(kept[0], kept[1]), "\n"), strings.Join(slices.Concat(rebuilt[0], rebuilt[1]), "\n"))
	}
	if len(rebuilt[0]) == 0 {
		t.Fatalf("after %s no dues at all: the check checks nothing", step)
	}
}
