package store_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// configRead is one read of a tenant's configuration that the store
// answers from its per-tenant cache, summarized as text.
type configRead struct {
	name string
	read func(ctx context.Context, tx service.Tx, tenantID string) (string, error)
	// change changes what read reads, through the store on one node.
	change func(ctx context.Context, tx service.Tx, tenantID string) error
	// plain changes it again with plain SQL, as a support engineer would
	// (the trigger, not Facturo, sets the new version); ? placeholders.
	plain string
}

// configReads are every cached read of the store, each with a change.
var configReads = []configRead{
	{name: "tenant settings",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			t, err := tx.GetTenant(ctx, tenantID)
			return fmt.Sprintf("%s %v", t.Name, t.ApprovalRequired), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			t, err := tx.GetTenant(ctx, tenantID)
			if err != nil {
				return err
			}
			t.Name, t.ApprovalRequired = "Renamed", true
			return tx.UpdateTenant(ctx, t)
		},
		plain: `UPDATE tenants SET name = 'Plain' WHERE id = ?`},
	{name: "tax codes",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			cs, err := tx.ListTaxCodes(ctx, tenantID)
			var out []string
			for _, c := range cs {
				out = append(out, c.Code+" "+c.Name+" "+c.Rate.String())
			}
			return strings.Join(out, ", "), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			return tx.UpsertTaxCode(ctx, tenantID, tax.Code{Code: "V21", Name: "IVA", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"})
		},
		plain: `UPDATE tax_codes SET rate = '22' WHERE tenant_id = ?`},
	{name: "tax groups",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			gs, err := tx.ListTaxGroups(ctx, tenantID)
			var out []string
			for _, g := range gs {
				out = append(out, g.Code+" "+strings.Join(g.Codes, "+"))
			}
			return strings.Join(out, ", "), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			return tx.UpsertTaxGroup(ctx, tenantID, tax.Group{Kind: tax.ItemGroup, Code: "FULL", Codes: []string{"V21"}})
		},
		plain: `DELETE FROM tax_groups WHERE tenant_id = ?`},
	{name: "chart of accounts",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			as, err := tx.ListAccounts(ctx, tenantID)
			var out []string
			for _, a := range as {
				out = append(out, a.Code+" "+a.Name)
			}
			return strings.Join(out, ", "), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			return tx.UpsertAccount(ctx, tenantID, ledger.Account{Code: "4300", Name: "Cloud resale", Type: ledger.Revenue})
		},
		plain: `UPDATE ledger_accounts SET name = 'Plain' WHERE tenant_id = ? AND code = '4300'`},
	{name: "posting profiles",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			ps, err := tx.ListPostingProfiles(ctx, tenantID)
			var out []string
			for _, p := range ps {
				out = append(out, p.Code+" "+p.ReceivablesAccount)
			}
			return strings.Join(out, ", "), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			if err := tx.UpsertAccount(ctx, tenantID, ledger.Account{Code: "4310", Name: "Intercompany", Type: ledger.Asset}); err != nil {
				return err
			}
			return tx.UpsertPostingProfile(ctx, tenantID, ledger.PostingProfile{Code: "IC", Name: "Intercompany", ReceivablesAccount: "4310"})
		},
		plain: `DELETE FROM posting_profiles WHERE tenant_id = ?`},
	{name: "number series",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			s, err := tx.ListSeries(ctx, tenantID)
			return fmt.Sprint(s), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			return tx.SetSeries(ctx, tenantID, "invoice", "F-{YYYY}-{#####}")
		},
		plain: `UPDATE number_series SET pattern = 'P-{#####}' WHERE tenant_id = ?`},
	{name: "webhook endpoints",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			es, err := tx.ListWebhookEndpoints(ctx, tenantID, true)
			var out []string
			for _, e := range es {
				out = append(out, e.URL)
			}
			return strings.Join(out, ", "), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			return tx.InsertWebhookEndpoint(ctx, service.WebhookEndpoint{TenantID: tenantID, ID: id.New("we"), URL: "https://erp.example/hook",
				Events: []string{"invoice.issued"}, Enabled: true, Secret: "whsec_x", CreatedAt: at(0), UpdatedAt: at(0)})
		},
		plain: `UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = ?`},
	{name: "custom field definitions",
		read: func(ctx context.Context, tx service.Tx, tenantID string) (string, error) {
			ds, err := tx.ListCustomFieldDefs(ctx, tenantID)
			var out []string
			for _, d := range ds {
				out = append(out, fmt.Sprintf("%s:%s %s %v", d.AppliesTo, d.Key, d.Label("es"), d.ShowOnDocuments))
			}
			return strings.Join(out, ", "), err
		},
		change: func(ctx context.Context, tx service.Tx, tenantID string) error {
			return tx.UpsertCustomFieldDef(ctx, tenantID, customfield.Def{Key: "po_number", AppliesTo: customfield.Invoice,
				Labels: map[string]string{"en": "PO number", "es": "Número de pedido"}, CreatedAt: at(0), UpdatedAt: at(0)})
		},
		plain: `UPDATE custom_field_defs SET show_on_documents = true WHERE tenant_id = ?`},
}

// bind rewrites ? placeholders for db's engine.
func bind(db *store.DB, q string) string {
	if db.Engine() != store.Postgres {
		return q
	}
	n := 0
	return regexp.MustCompile(`\?`).ReplaceAllStringFunc(q, func(string) string { n++; return fmt.Sprintf("$%d", n) })
}

// TestConfigCacheSeesEveryChange: every read the per-tenant configuration
// cache answers sees, at the next transaction, a change committed by
// another node (its own store.DB on the same database), whether made
// through Facturo or with plain SQL; inside one transaction it sees that
// transaction's own change; a change rolled back is never seen. On both
// engines.
func TestConfigCacheSeesEveryChange(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.DSN(t, engine)
			a, b := openMigrated(t, dsn), openMigrated(t, dsn)
			for _, c := range configReads {
				t.Run(c.name, func(t *testing.T) {
					ten := insertTenant(t, a)
					read := func(db *store.DB) string {
						t.Helper()
						var s string
						mustRead(t, db, func(tx service.Tx) error {
							var err error
							s, err = c.read(ctx, tx, ten.ID)
							return err
						})
						return s
					}
					before := read(a)
					if again := read(a); again != before { // from the cache
						t.Fatalf("read twice: %q, then %q", before, again)
					}

					// Changed and rolled back on node a: never seen.
					errUndo := errors.New("undo")
					err := a.Write(ctx, func(tx service.Tx) error {
						if _, err := c.read(ctx, tx, ten.ID); err != nil { // read first: the version is remembered
							return err
						}
						if err := c.change(ctx, tx, ten.ID); err != nil {
							return err
						}
						own, err := c.read(ctx, tx, ten.ID)
						if err != nil {
							return err
						}
						if own == before {
							t.Errorf("a transaction does not see its own change: still %q", own)
						}
						return errUndo
					})
					if !errors.Is(err, errUndo) {
						t.Fatalf("change: %v", err)
					}
					if got := read(a); got != before {
						t.Fatalf("after a rollback: %q, want %q", got, before)
					}

					// Changed and committed on node b: node a sees it.
					mustWrite(t, b, func(tx service.Tx) error { return c.change(ctx, tx, ten.ID) })
					changed := read(b)
					if changed == before {
						t.Fatalf("the change changed nothing: %q", changed)
					}
					if got := read(a); got != changed {
						t.Errorf("node a after node b's change: %q, want %q", got, changed)
					}

					// Changed with plain SQL: both nodes see it.
					if _, err := b.SQL().ExecContext(ctx, bind(b, c.plain), ten.ID); err != nil {
						t.Fatal(err)
					}
					plain := read(b)
					if plain == changed {
						t.Fatalf("%s changed nothing: %q", c.plain, plain)
					}
					if got := read(a); got != plain {
						t.Errorf("node a after plain SQL: %q, want %q", got, plain)
					}

					// The cache answers: a change that keeps the version (only
					// possible by hand) is not seen by a node that read before,
					// and is by a node that did not.
					var version string
					if err := a.SQL().QueryRowContext(ctx, bind(a, `SELECT version FROM tenant_config_versions WHERE tenant_id = ?`), ten.ID).Scan(&version); err != nil {
						t.Fatal(err)
					}
					mustWrite(t, b, func(tx service.Tx) error { return c.change(ctx, tx, ten.ID) })
					if _, err := b.SQL().ExecContext(ctx, bind(b, `UPDATE tenant_config_versions SET version = ? WHERE tenant_id = ?`), version, ten.ID); err != nil {
						t.Fatal(err)
					}
					if got := read(a); got != plain {
						t.Errorf("node a read %q, not its cached %q: is the cache used?", got, plain)
					}
					if got := read(openMigrated(t, dsn)); got == plain {
						t.Errorf("a new node read %q: the hidden change changed nothing", got)
					}
				})
			}
		})
	}
}

// TestConfigWritesTellTheCache: every store method that runs a generated
// query writing a table the configuration cache reads tells the
// transaction (configcache.Changed), so that the transaction's next read
// sees its own change.
func TestConfigWritesTellTheCache(t *testing.T) {
	t.Parallel()
	cached := []string{"tenants", "tax_codes", "tax_groups", "ledger_accounts", "posting_profiles", "number_series", "webhook_endpoints", "custom_field_defs"}
	// The generated queries that write those tables, by name.
	writes := map[string]bool{}
	files, _ := filepath.Glob("sqlitesql/queries/*.sql")
	nameRe := regexp.MustCompile(`(?m)^-- name: (\w+)`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parts := nameRe.FindAllStringSubmatchIndex(string(src), -1)
		for i, m := range parts {
			end := len(src)
			if i+1 < len(parts) {
				end = parts[i+1][0]
			}
			body := strings.ToLower(string(src[m[1]:end]))
			for _, table := range cached {
				if regexp.MustCompile(`(insert into|update|delete from)\s+` + table + `\b`).MatchString(body) {
					writes[string(src[m[2]:m[3]])] = true
				}
			}
		}
	}
	if len(writes) < 10 {
		t.Fatalf("found %d queries writing the cached tables: %v; has the query layout changed?", len(writes), writes)
	}
	// Every function of the area packages that calls one also calls configcache.Changed.
	called := map[string]bool{}
	dirs, _ := filepath.Glob("*sql")
	for _, dir := range dirs {
		if dir == "sqlitesql" || dir == "pgsql" || dir == "enginesql" { // generated
			continue
		}
		goFiles, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range goFiles {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				var queries []string
				tells := false
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					sel, ok := n.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "configcache" && sel.Sel.Name == "Changed" {
						tells = true
					}
					if writes[sel.Sel.Name] {
						queries = append(queries, sel.Sel.Name)
					}
					return true
				})
				for _, q := range queries {
					called[q] = true
					if !tells {
						t.Errorf("%s: %s runs %s, which writes the configuration, without configcache.Changed", f, fn.Name.Name, q)
					}
				}
			}
		}
	}
	for q := range writes {
		if !called[q] {
			t.Errorf("query %s writes the configuration and no function of the area packages runs it: is this guard still reading the calls?", q)
		}
	}
}
