package store_test

// The storage conformance suite: every test here runs, unchanged, against
// SQLite and PostgreSQL (testdb.Each), calling the store directly through
// db.Write / db.Read and the service.Tx methods, or through service.New(db)
// where the service is the only way in (cursor pagination).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for _, tc := range []struct {
			name string
			fn   func(*testing.T, *store.DB)
		}{
			{"Tenants", testTenants},
			{"Users", testUsers},
			{"APIKeys", testAPIKeys},
			{"Customers", testCustomers},
			{"Audit", testAudit},
			{"Counters", testCounters},
			{"LoginAttempts", testLoginAttempts},
			{"Timestamps", testTimestamps},
			{"TenantIsolation", testTenantIsolation},
			{"Errors", testErrors},
			{"Transactions", testTransactions},
			{"ListCustomersFilters", testListCustomersFilters},
			{"ListCustomersKeyset", testListCustomersKeyset},
			{"ConcurrentCounters", testConcurrentCounters},
			{"ConcurrentCustomerUpdates", testConcurrentCustomerUpdates},
			{"ConcurrentCustomerCreates", testConcurrentCustomerCreates},
			{"Sessions", testSessions},
			{"Idempotency", testIdempotency},
			{"PurgeExpired", testPurgeExpired},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.fn(t, db) })
		}
	})
}

// --- helpers

// zone is where fixture times are made, so every test also checks they come
// back in UTC.
var zone = time.FixedZone("BRT", -3*60*60)

// at returns a fixed, microsecond-precise instant plus n minutes.
func at(n int) time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897000, zone).Add(time.Duration(n) * time.Minute)
}

func ptr[T any](v T) *T { return &v }

// uniq returns a short unique lower-case token for names and emails.
func uniq() string { return strings.TrimPrefix(id.New("u"), "u_") }

func mustWrite(t testing.TB, db *store.DB, fn func(service.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func mustRead(t testing.TB, db *store.DB, fn func(service.Tx) error) {
	t.Helper()
	if err := db.Read(context.Background(), fn); err != nil {
		t.Fatalf("read: %v", err)
	}
}

func wantCode(t testing.TB, err error, code fail.Code) {
	t.Helper()
	if !fail.Is(err, code) {
		t.Fatalf("got error %v (code %q), want code %q", err, fail.CodeOf(err), code)
	}
}

// wantFieldConflict checks err is a conflict naming field first.
func wantFieldConflict(t testing.TB, err error, field string) {
	t.Helper()
	wantCode(t, err, fail.Conflict)
	e, _ := fail.As(err)
	if len(e.Fields) == 0 || e.Fields[0].Field != field {
		t.Fatalf("conflict %v names fields %+v, want %q first", err, e.Fields, field)
	}
}

// equal compares two values of the same struct type, naming each differing field.
func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if gv.Kind() != reflect.Struct || gv.Type() != wv.Type() {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
	var diffs []string
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			diffs = append(diffs, fmt.Sprintf("  %s: got %#v, want %#v", gv.Type().Field(i).Name, deref(g), deref(w)))
		}
	}
	t.Fatalf("%s differs:\n%s", what, strings.Join(diffs, "\n"))
}

func deref(v any) any {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func wantUTC(t testing.TB, what string, ts time.Time) {
	t.Helper()
	if ts.Location() != time.UTC {
		t.Fatalf("%s is in %v, want UTC", what, ts.Location())
	}
}

func insertTenant(t testing.TB, db *store.DB) billing.Tenant {
	t.Helper()
	ten := billing.Tenant{ID: id.New(id.Tenant), Name: "Tenant " + uniq(), LegalName: "Tenant S.L.", Currency: "EUR",
		TimeZone: "Europe/Madrid", Language: "es", CreatedAt: at(0), UpdatedAt: at(0)}
	mustWrite(t, db, func(tx service.Tx) error { return tx.InsertTenant(context.Background(), ten) })
	return ten
}

// newCustomer returns a minimal valid customer of tenantID, changed by edit.
func newCustomer(tenantID string, edit func(*billing.Customer)) billing.Customer {
	c := billing.Customer{TenantID: tenantID, ID: id.New(id.Customer), Number: "N-" + uniq()[14:], Name: "Customer",
		Contacts: []billing.Contact{}, CustomFields: map[string]string{}, PaymentTermsDays: 30, CreatedAt: at(0), UpdatedAt: at(0)}
	if edit != nil {
		edit(&c)
	}
	return c
}

func insertCustomer(t testing.TB, db *store.DB, tenantID string, edit func(*billing.Customer)) billing.Customer {
	t.Helper()
	c := newCustomer(tenantID, edit)
	mustWrite(t, db, func(tx service.Tx) error { return tx.InsertCustomer(context.Background(), c) })
	return c
}

func getCustomer(t testing.TB, db *store.DB, tenantID, customerID string) billing.Customer {
	t.Helper()
	var c billing.Customer
	mustRead(t, db, func(tx service.Tx) error {
		var err error
		c, err = tx.GetCustomer(context.Background(), tenantID, customerID)
		return err
	})
	return c
}

// equalCustomer compares customers field by field: timestamps as UTC
// instants, the credit limit as an exact decimal.
func equalCustomer(t testing.TB, what string, got, want billing.Customer) {
	t.Helper()
	if !got.CreditLimit.Decimal().Equal(want.CreditLimit.Decimal()) || got.CreditLimit.Decimal().String() != want.CreditLimit.Decimal().String() {
		t.Fatalf("%s: credit limit %s, want %s", what, got.CreditLimit, want.CreditLimit)
	}
	wantUTC(t, what+" created_at", got.CreatedAt)
	wantUTC(t, what+" updated_at", got.UpdatedAt)
	if got.ArchivedAt != nil {
		wantUTC(t, what+" archived_at", *got.ArchivedAt)
	}
	want.CreatedAt, want.UpdatedAt, want.ArchivedAt = want.CreatedAt.UTC(), want.UpdatedAt.UTC(), utcPtr(want.ArchivedAt)
	got.CreditLimit, want.CreditLimit = money.Amount{}, money.Amount{}
	equal(t, what, got, want)
}

func system(tenantID string) access.Principal { return access.System(tenantID, "conformance") }

// --- 1. round trips

func testTenants(t *testing.T, db *store.DB) {
	ctx := context.Background()
	want := billing.Tenant{ID: id.New(id.Tenant), Name: "Señor Café 🚀", LegalName: "Café do João Ltda.", TaxID: "12.345.678/0001-90",
		Address: billing.Address{Line1: "Rua São João, 1", Line2: "Sala 2 — fundos", City: "São Paulo", Region: "SP",
			PostalCode: "01000-000", Country: "BR"},
		Currency: "BRL", TimeZone: "America/Sao_Paulo", Language: "pt-BR", CreatedAt: at(0), UpdatedAt: at(1)}
	mustWrite(t, db, func(tx service.Tx) error { return tx.InsertTenant(ctx, want) })
	get := func(id string) billing.Tenant {
		var got billing.Tenant
		mustRead(t, db, func(tx service.Tx) error {
			var err error
			got, err = tx.GetTenant(ctx, id)
			return err
		})
		wantUTC(t, "tenant created_at", got.CreatedAt)
		wantUTC(t, "tenant updated_at", got.UpdatedAt)
		return got
	}
	utc := func(v billing.Tenant) billing.Tenant {
		v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
		return v
	}
	equal(t, "inserted tenant", get(want.ID), utc(want))

	upd := want
	upd.Name, upd.LegalName, upd.TaxID = "Ñandú Cloud", "Ñandú Cloud S.A. (España)", "ESB12345678"
	upd.Address = billing.Address{Line1: "Calle Mayor 1", Line2: "3º izq.", City: "Madrid", Region: "Madrid", PostalCode: "28013", Country: "ES"}
	upd.Currency, upd.TimeZone, upd.Language, upd.UpdatedAt = "EUR", "Europe/Madrid", "es", at(90)
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateTenant(ctx, upd) })
	equal(t, "updated tenant", get(want.ID), utc(upd))

	other := insertTenant(t, db)
	var list []billing.Tenant
	mustRead(t, db, func(tx service.Tx) error {
		var err error
		list, err = tx.ListTenants(ctx)
		return err
	})
	var ids []string
	for _, v := range list {
		ids = append(ids, v.ID)
		if v.ID == want.ID {
			equal(t, "listed tenant", v, utc(upd))
		}
	}
	if !slices.Contains(ids, want.ID) || !slices.Contains(ids, other.ID) {
		t.Fatalf("ListTenants = %v, want it to hold %s and %s", ids, want.ID, other.ID)
	}
	if !slices.IsSorted(ids) {
		t.Fatalf("ListTenants is not ordered by id: %v", ids)
	}
}

func testUsers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten, ten2 := insertTenant(t, db), insertTenant(t, db)
	cust := insertCustomer(t, db, ten.ID, nil)
	u := uniq()
	disabled := at(3)
	staff := access.User{TenantID: ten.ID, ID: id.New(id.User), Email: "ana." + u + "@example.com", Name: "Ana Ñúñez 👩‍💼",
		Role: access.FinanceManager, Language: "es", PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		CreatedAt: at(0), UpdatedAt: at(1)}
	portal := access.User{TenantID: ten.ID, ID: id.New(id.User), Email: "bea." + u + "@example.com", Name: "Beatriz",
		Role: access.Customer, CustomerID: cust.ID, Language: "pt-BR", PasswordHash: "hash-2", DisabledAt: &disabled,
		CreatedAt: at(2), UpdatedAt: at(2)}
	sameEmail := access.User{TenantID: ten2.ID, ID: id.New(id.User), Email: staff.Email, Name: "Ana (other tenant)",
		Role: access.Sales, Language: "en", PasswordHash: "hash-3", CreatedAt: at(5), UpdatedAt: at(5)}
	mustWrite(t, db, func(tx service.Tx) error {
		for _, v := range []access.User{staff, portal, sameEmail} {
			if err := tx.InsertUser(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	utc := func(v access.User) access.User {
		v.CreatedAt, v.UpdatedAt, v.DisabledAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC(), utcPtr(v.DisabledAt)
		return v
	}
	get := func(tenantID, userID string) access.User {
		var got access.User
		mustRead(t, db, func(tx service.Tx) error {
			var err error
			got, err = tx.GetUser(ctx, tenantID, userID)
			return err
		})
		wantUTC(t, "user created_at", got.CreatedAt)
		if got.DisabledAt != nil {
			wantUTC(t, "user disabled_at", *got.DisabledAt)
		}
		return got
	}
	equal(t, "staff user", get(ten.ID, staff.ID), utc(staff))
	equal(t, "portal user", get(ten.ID, portal.ID), utc(portal))

	// Every updatable field changes; email and customer are not updatable.
	upd := staff
	upd.Name, upd.Role, upd.Language, upd.PasswordHash, upd.UpdatedAt = "Ana B.", access.Director, "pt-BR", "new-hash", at(8)
	d := at(7)
	upd.DisabledAt = &d
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateUser(ctx, upd) })
	equal(t, "disabled user", get(ten.ID, staff.ID), utc(upd))
	upd.DisabledAt, upd.UpdatedAt = nil, at(9)
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateUser(ctx, upd) })
	equal(t, "enabled user", get(ten.ID, staff.ID), utc(upd))
	changed := upd
	changed.Email, changed.CustomerID = "changed@example.com", cust.ID
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateUser(ctx, changed) })
	equal(t, "user after an attempt to change email and customer", get(ten.ID, staff.ID), utc(upd))

	var list, byEmail []access.User
	mustRead(t, db, func(tx service.Tx) error {
		var err error
		if list, err = tx.ListUsers(ctx, ten.ID); err != nil {
			return err
		}
		byEmail, err = tx.UsersByEmail(ctx, staff.Email)
		return err
	})
	if len(list) != 2 || list[0].ID != staff.ID || list[1].ID != portal.ID {
		t.Fatalf("ListUsers = %+v, want [staff, portal] by email", list)
	}
	equal(t, "listed portal user", list[1], utc(portal))
	if len(byEmail) != 2 || byEmail[0].ID != staff.ID || byEmail[1].ID != sameEmail.ID {
		t.Fatalf("UsersByEmail = %+v, want the user of each tenant, oldest first", byEmail)
	}
	equal(t, "user by email in the other tenant", byEmail[1], utc(sameEmail))

	// Duplicate email in one tenant: conflict on "email"; nothing written.
	dup := portal
	dup.ID, dup.Email = id.New(id.User), staff.Email
	err := db.Write(ctx, func(tx service.Tx) error { return tx.InsertUser(ctx, dup) })
	wantFieldConflict(t, err, "email")
	mustRead(t, db, func(tx service.Tx) error {
		_, err := tx.GetUser(ctx, ten.ID, dup.ID)
		wantCode(t, err, fail.NotFound)
		return nil
	})
}

func testAPIKeys(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	cust := insertCustomer(t, db, ten.ID, nil)
	used := at(1)
	k1 := access.APIKey{TenantID: ten.ID, ID: id.NewAt(id.APIKey, at(0)), Name: "CI – déploiement ✓", Prefix: "fk_abc1234",
		Hash: "hash-" + uniq(), Role: access.Sales, CreatedBy: "usr_admin", CreatedAt: at(0)}
	k2 := access.APIKey{TenantID: ten.ID, ID: id.NewAt(id.APIKey, at(1)), Name: "portal", Prefix: "fk_def5678",
		Hash: "hash-" + uniq(), Role: access.Customer, CustomerID: cust.ID, CreatedBy: "system", CreatedAt: at(1), LastUsedAt: &used}
	mustWrite(t, db, func(tx service.Tx) error {
		if err := tx.InsertAPIKey(ctx, k1); err != nil {
			return err
		}
		return tx.InsertAPIKey(ctx, k2)
	})
	utc := func(k access.APIKey) access.APIKey {
		k.CreatedAt, k.LastUsedAt, k.RevokedAt = k.CreatedAt.UTC(), utcPtr(k.LastUsedAt), utcPtr(k.RevokedAt)
		return k
	}
	byHash := func(hash string) (access.APIKey, error) {
		var k access.APIKey
		err := db.Read(ctx, func(tx service.Tx) error {
			var err error
			k, err = tx.APIKeyByHash(ctx, hash)
			return err
		})
		return k, err
	}
	mustHash := func(hash string) access.APIKey {
		t.Helper()
		k, err := byHash(hash)
		if err != nil {
			t.Fatalf("APIKeyByHash: %v", err)
		}
		return k
	}
	equal(t, "key by hash", mustHash(k1.Hash), utc(k1))
	equal(t, "customer key by hash", mustHash(k2.Hash), utc(k2))
	_, err := byHash("no-such-hash")
	wantCode(t, err, fail.NotFound)

	mustWrite(t, db, func(tx service.Tx) error { return tx.TouchAPIKey(ctx, ten.ID, k1.ID, at(5)) })
	if got := mustHash(k1.Hash); got.LastUsedAt == nil || !got.LastUsedAt.Equal(at(5)) {
		t.Fatalf("after touch, last_used_at = %v, want %v", got.LastUsedAt, at(5))
	}
	mustWrite(t, db, func(tx service.Tx) error { return tx.TouchAPIKey(ctx, ten.ID, k1.ID, at(6)) })
	if got := mustHash(k1.Hash); !got.LastUsedAt.Equal(at(6)) || got.RevokedAt != nil {
		t.Fatalf("after a second touch: %+v", got)
	}

	mustWrite(t, db, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, ten.ID, k1.ID, at(7)) })
	if got := mustHash(k1.Hash); got.RevokedAt == nil || !got.RevokedAt.Equal(at(7)) {
		t.Fatalf("after revoke, revoked_at = %v, want %v", got.RevokedAt, at(7))
	}
	err = db.Write(ctx, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, ten.ID, k1.ID, at(9)) })
	wantCode(t, err, fail.NotFound)
	if got := mustHash(k1.Hash); !got.RevokedAt.Equal(at(7)) {
		t.Fatalf("a second revoke moved revoked_at to %v", got.RevokedAt)
	}
	err = db.Write(ctx, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, ten.ID, "key_missing", at(9)) })
	wantCode(t, err, fail.NotFound)

	// The lookup outside a transaction (every API request) reads the same
	// row and sees the revocation at once.
	if s, ok := any(db).(interface {
		APIKeyByHash(context.Context, string) (access.APIKey, error)
	}); ok {
		got, err := s.APIKeyByHash(ctx, k1.Hash)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "key by hash outside a transaction", got, mustHash(k1.Hash))
		if got.RevokedAt == nil {
			t.Fatal("the lookup outside a transaction does not see the revocation")
		}
		_, err = s.APIKeyByHash(ctx, "no-such-hash")
		wantCode(t, err, fail.NotFound)
	}

	var list []access.APIKey
	mustRead(t, db, func(tx service.Tx) error {
		var err error
		list, err = tx.ListAPIKeys(ctx, ten.ID)
		return err
	})
	if len(list) != 2 || list[0].ID != k2.ID || list[1].ID != k1.ID {
		t.Fatalf("ListAPIKeys = %+v, want newest first", list)
	}
	want1 := k1
	want1.LastUsedAt, want1.RevokedAt = ptr(at(6)), ptr(at(7))
	equal(t, "listed revoked key", list[1], utc(want1))
}

func testCustomers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	acct := insertCustomer(t, db, ten.ID, func(c *billing.Customer) { c.Name = "Invoice account" })
	parent := insertCustomer(t, db, ten.ID, func(c *billing.Customer) { c.Name = "Reseller" })
	archived := at(4)
	full := newCustomer(ten.ID, func(c *billing.Customer) {
		c.Number = "C-000042"
		c.Name = "Ação & Cia — Niño 🚀"
		c.Contacts = []billing.Contact{
			{Name: "João Pérez 😀", Email: "joao@example.com", Phone: "+55 11 5555-0000", Role: "billing"},
			{Name: "Zoë \"Z\" <Ølsen>", Email: "zoe@example.com"},
		}
		c.Billing = billing.BillingInfo{LegalName: "Ação e Companhia Ltda.", TaxID: "PT509999999", Email: "facturas@example.com",
			Language: "pt-BR", Currency: "EUR",
			Address: billing.Address{Line1: "Avenida da Liberdade, 1", Line2: "5.º Dto", City: "Lisboa", Region: "Lisboa", PostalCode: "1250-096", Country: "PT"}}
		c.InvoiceAccountID = acct.ID
		c.PaymentTermsDays = 45
		c.CreditLimit = money.In(decimal.RequireFromString("12345.67"), "")
		c.SalesTaxGroup, c.SAPID, c.BillingContractNumber, c.SalesAccountExecutive = "EU-B2B", "SAP-0042", "BC/2025-7", "Inês Álvarez"
		c.ParentID = parent.ID
		c.CustomFields = map[string]string{"po_number": "PO-ñ-😀", "segment": "enterprise", "note": "50% off \\ \"quoted\" \t tab"}
		c.HasBillingInfo = true
		c.ArchivedAt = &archived
		c.CreatedAt, c.UpdatedAt = at(1), at(2)
	})
	tiny := newCustomer(ten.ID, func(c *billing.Customer) {
		c.CreditLimit = money.In(decimal.RequireFromString("0.00000001"), "")
		c.PaymentTermsDays = 0
	})
	big := newCustomer(ten.ID, func(c *billing.Customer) {
		c.CreditLimit = money.In(decimal.RequireFromString("99999999999999999999.99999999"), "") // numeric(28, 8) at its widest
	})
	mustWrite(t, db, func(tx service.Tx) error {
		for _, c := range []billing.Customer{full, tiny, big} {
			if err := tx.InsertCustomer(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	equalCustomer(t, "full customer", getCustomer(t, db, ten.ID, full.ID), full)
	equalCustomer(t, "customer with a tiny credit limit", getCustomer(t, db, ten.ID, tiny.ID), tiny)
	equalCustomer(t, "customer with a huge credit limit", getCustomer(t, db, ten.ID, big.ID), big)
	mustWrite(t, db, func(tx service.Tx) error {
		got, err := tx.GetCustomerForUpdate(ctx, ten.ID, full.ID)
		if err != nil {
			return err
		}
		equalCustomer(t, "customer read for update", got, full)
		return nil
	})

	// Credit limits the column cannot hold exactly are refused on both
	// engines alike, on insert and on update; trailing zeros are fine.
	for _, v := range []string{"0.000000001", "100000000000000000000", "-100000000000000000000", "1.000000000000000001"} {
		bad := newCustomer(ten.ID, func(c *billing.Customer) { c.CreditLimit = money.In(decimal.RequireFromString(v), "") })
		err := db.Write(ctx, func(tx service.Tx) error { return tx.InsertCustomer(ctx, bad) })
		wantCode(t, err, fail.Invalid)
		if e, _ := fail.As(err); e.Fields[0].Field != "credit_limit" {
			t.Fatalf("credit limit %s: %v", v, err)
		}
		bad.ID, bad.Number = tiny.ID, tiny.Number
		err = db.Write(ctx, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, bad) })
		wantCode(t, err, fail.Invalid)
	}
	zeros := newCustomer(ten.ID, func(c *billing.Customer) { c.CreditLimit = money.In(decimal.RequireFromString("1.5000000000000"), "") })
	mustWrite(t, db, func(tx service.Tx) error { return tx.InsertCustomer(ctx, zeros) })
	if got := getCustomer(t, db, ten.ID, zeros.ID).CreditLimit; got.Decimal().String() != "1.5" {
		t.Fatalf("credit limit 1.5000000000000 came back as %s", got)
	}
	equalCustomer(t, "customer with a tiny credit limit, after refused updates", getCustomer(t, db, ten.ID, tiny.ID), tiny)

	// nil contacts and custom fields come back empty, on both engines alike.
	bare := newCustomer(ten.ID, func(c *billing.Customer) { c.Contacts, c.CustomFields = nil, nil })
	mustWrite(t, db, func(tx service.Tx) error { return tx.InsertCustomer(ctx, bare) })
	if got := getCustomer(t, db, ten.ID, bare.ID); len(got.Contacts) != 0 || len(got.CustomFields) != 0 {
		t.Fatalf("nil contacts/custom fields came back as %+v / %+v", got.Contacts, got.CustomFields)
	}

	// Update every field, clearing the nullable ones.
	upd := full
	upd.Number, upd.Name = "C-000043", "Acción Renombrada"
	upd.Contacts = []billing.Contact{{Name: "Ünal", Email: "unal@example.com", Role: "technical"}}
	upd.Billing = billing.BillingInfo{LegalName: "Acción S.L.", TaxID: "ESB00000000", Email: "billing@example.es", Language: "es", Currency: "USD",
		Address: billing.Address{Line1: "Gran Vía 1", City: "Madrid", PostalCode: "28013", Country: "ES"}}
	upd.InvoiceAccountID, upd.ParentID = "", ""
	upd.PaymentTermsDays = 60
	upd.CreditLimit = money.In(decimal.RequireFromString("0.10"), "")
	upd.SalesTaxGroup, upd.SAPID, upd.BillingContractNumber, upd.SalesAccountExecutive = "DOM", "", "BC-2", "Eva"
	upd.CustomFields = map[string]string{"segment": "smb"}
	upd.HasBillingInfo = false
	upd.ArchivedAt = nil
	upd.UpdatedAt = at(30)
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, upd) })
	equalCustomer(t, "updated customer", getCustomer(t, db, ten.ID, full.ID), upd)

	// And set them again.
	upd2 := upd
	upd2.InvoiceAccountID, upd2.ParentID, upd2.ArchivedAt, upd2.HasBillingInfo = acct.ID, parent.ID, ptr(at(40)), true
	upd2.CreditLimit = money.In(decimal.RequireFromString("12345.67"), "")
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, upd2) })
	equalCustomer(t, "customer updated again", getCustomer(t, db, ten.ID, full.ID), upd2)

	// The listed row is the same as the one read alone.
	var list []billing.Customer
	mustRead(t, db, func(tx service.Tx) error {
		var err error
		list, err = tx.ListCustomers(ctx, ten.ID, service.CustomerFilter{Sort: service.SortNumber, Archived: service.ArchivedOnly, Page: service.Page{Limit: 10}})
		return err
	})
	if len(list) != 1 {
		t.Fatalf("archived customers: %d, want 1", len(list))
	}
	equalCustomer(t, "listed customer", list[0], upd2)
}

func testAudit(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	changes := `{"name":{"from":"Ação","to":"Acción 🚀"},"credit_limit":{"from":"0","to":"12345.67"},"n":1.5,"z":[1,"ü",null,true,{"<&>":"\u00e9"}]}`
	var entries []service.AuditEntry
	for i := range 5 {
		e := service.AuditEntry{TenantID: ten.ID, ID: id.NewAt(id.Audit, at(i)), At: at(i), ActorType: "user", ActorID: "usr_1",
			ActorName: "Ana Ñ", Action: "customer.updated", TargetType: "customer", TargetID: "cus_1", Changes: json.RawMessage(changes)}
		if i%2 == 1 {
			e.ActorType, e.ActorID, e.ActorName, e.Action, e.TargetType, e.TargetID, e.Changes = "api_key", "key_1", "API key ci", "api_key.revoked", "api_key", "key_1", nil
		}
		entries = append(entries, e)
	}
	mustWrite(t, db, func(tx service.Tx) error {
		for _, e := range entries {
			if err := tx.InsertAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(f service.AuditFilter) []service.AuditEntry {
		t.Helper()
		f.Page.Limit = 100
		var out []service.AuditEntry
		mustRead(t, db, func(tx service.Tx) error {
			var err error
			out, err = tx.ListAudit(ctx, ten.ID, f)
			return err
		})
		return out
	}
	check := func(what string, got []service.AuditEntry, want ...int) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, want %d", what, len(got), len(want))
		}
		for i, w := range want {
			g, e := got[i], entries[w]
			wantUTC(t, "audit at", g.At)
			if len(e.Changes) == 0 {
				if g.Changes != nil {
					t.Fatalf("%s: entry without changes came back with %s", what, g.Changes)
				}
			} else {
				var gj, ej any
				if err := json.Unmarshal(g.Changes, &gj); err != nil {
					t.Fatalf("%s: changes %s: %v", what, g.Changes, err)
				}
				_ = json.Unmarshal(e.Changes, &ej)
				if !reflect.DeepEqual(gj, ej) {
					t.Fatalf("%s: changes %s, want %s", what, g.Changes, e.Changes)
				}
			}
			g.Changes, e.Changes = nil, nil
			e.At = e.At.UTC()
			equal(t, what, g, e)
		}
	}
	check("all entries, newest first", list(service.AuditFilter{}), 4, 3, 2, 1, 0)
	check("by target", list(service.AuditFilter{TargetID: "key_1"}), 3, 1)
	check("by target type", list(service.AuditFilter{TargetType: "customer"}), 4, 2, 0)
	check("by action", list(service.AuditFilter{Action: "api_key.revoked", TargetType: "api_key"}), 3, 1)
	check("nothing", list(service.AuditFilter{Action: "nope"}))

	// Cursor pagination goes through the service (the cursor is decoded there).
	svc := service.New(db)
	var ids []string
	cursor := ""
	for range 10 {
		page, err := svc.ListAudit(ctx, system(ten.ID), service.AuditFilter{Page: service.Page{Limit: 2, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			ids = append(ids, e.ID)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	want := []string{entries[4].ID, entries[3].ID, entries[2].ID, entries[1].ID, entries[0].ID}
	if !slices.Equal(ids, want) {
		t.Fatalf("audit pages = %v, want %v", ids, want)
	}
}

func nextCounter(t testing.TB, db *store.DB, tenantID, name string) int64 {
	t.Helper()
	var n int64
	mustWrite(t, db, func(tx service.Tx) error {
		var err error
		n, err = tx.NextCounter(context.Background(), tenantID, name)
		return err
	})
	return n
}

func testCounters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := insertTenant(t, db), insertTenant(t, db)
	for i := int64(1); i <= 3; i++ {
		if n := nextCounter(t, db, a.ID, "invoice/2025"); n != i {
			t.Fatalf("counter = %d, want %d", n, i)
		}
	}
	if n := nextCounter(t, db, a.ID, "customer_number"); n != 1 {
		t.Fatalf("another name starts at %d, want 1", n)
	}
	if n := nextCounter(t, db, b.ID, "invoice/2025"); n != 1 {
		t.Fatalf("the same name in another tenant starts at %d, want 1", n)
	}
	// Several increments in one transaction.
	mustWrite(t, db, func(tx service.Tx) error {
		for want := int64(4); want <= 6; want++ {
			n, err := tx.NextCounter(ctx, a.ID, "invoice/2025")
			if err != nil {
				return err
			}
			if n != want {
				t.Errorf("in one transaction: %d, want %d", n, want)
			}
		}
		return nil
	})
	// Gapless: a rolled-back number is handed out again.
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx service.Tx) error {
		if n, err := tx.NextCounter(ctx, a.ID, "invoice/2025"); err != nil || n != 7 {
			t.Errorf("next = %d, %v; want 7", n, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the function's error", err)
	}
	if n := nextCounter(t, db, a.ID, "invoice/2025"); n != 7 {
		t.Fatalf("after a rollback the counter gave %d, want 7 again", n)
	}
}

func testLoginAttempts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	u := uniq()
	email, fresh, past := "ana."+u+"@example.com", "new."+u+"@example.com", "past."+u+"@example.com"
	ip1, ip2 := "10.0."+u[:4], "2001:db8::"+u[:4]
	since := at(0)
	attempts := []service.LoginAttempt{
		{Email: email, IP: ip1, At: at(-1), Success: false}, // before the window
		{Email: email, IP: ip1, At: at(1), Success: false},
		{Email: email, IP: ip1, At: at(2), Success: true}, // resets the email's count
		{Email: email, IP: ip1, At: at(3), Success: false},
		{Email: email, IP: ip2, At: at(4), Success: false},
		{Email: fresh, IP: ip1, At: since, Success: false}, // exactly at the window start: counted
		{Email: fresh, IP: ip1, At: at(5), Success: false},
		{Email: past, IP: ip2, At: at(-10), Success: true}, // a success before the window
		{Email: past, IP: ip2, At: at(7), Success: false},
		{Email: "other." + u + "@example.com", IP: ip1, At: at(6), Success: true},
	}
	mustWrite(t, db, func(tx service.Tx) error {
		for _, a := range attempts {
			if err := tx.InsertLoginAttempt(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	count := func(email, ip string) (int, int) {
		var e, i int
		mustRead(t, db, func(tx service.Tx) error {
			var err error
			e, i, err = tx.CountFailedLogins(ctx, email, ip, since)
			return err
		})
		return e, i
	}
	if e, i := count(email, ip1); e != 2 || i != 4 {
		t.Fatalf("email with a success: byEmail=%d byIP=%d, want 2 (after the success) and 4 (ip1 failures in the window)", e, i)
	}
	if e, i := count(fresh, ip2); e != 2 || i != 2 {
		t.Fatalf("email that never succeeded: byEmail=%d byIP=%d, want 2 (one exactly at the window start) and 2", e, i)
	}
	if e, _ := count(past, ip2); e != 1 {
		t.Fatalf("email whose success is before the window: byEmail=%d, want 1", e)
	}
	if e, i := count("nobody@example.com", "192.0.2.1"); e != 0 || i != 0 {
		t.Fatalf("unknown email and ip: %d, %d", e, i)
	}
}

func testTimestamps(t *testing.T, db *store.DB) {
	ten := insertTenant(t, db)
	// Sub-microsecond digits are cut the same way on both engines (truncated,
	// never rounded up into the next microsecond, second or year).
	cases := []time.Time{
		time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2025, 6, 1, 12, 0, 0, 1500, time.FixedZone("X", 5*3600+45*60)),
		time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 2, 28, 1, 2, 3, 456789000, time.UTC),
	}
	for i, ts := range cases {
		c := insertCustomer(t, db, ten.ID, func(c *billing.Customer) { c.CreatedAt, c.UpdatedAt, c.ArchivedAt = ts, ts, &ts })
		got := getCustomer(t, db, ten.ID, c.ID)
		want := ts.UTC().Truncate(time.Microsecond)
		for _, g := range []time.Time{got.CreatedAt, got.UpdatedAt, *got.ArchivedAt} {
			wantUTC(t, "timestamp", g)
			if !g.Equal(want) {
				t.Errorf("case %d: %s came back as %s, want %s", i, ts.Format(time.RFC3339Nano), g.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
		}
	}
}

// --- 2. tenant isolation

func testTenantIsolation(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := insertTenant(t, db), insertTenant(t, db)
	email := "same." + uniq() + "@example.com"
	// The same customer id, number, user id and email, key id and audit id in both tenants.
	shared := map[string]billing.Customer{}
	for _, ten := range []billing.Tenant{a, b} {
		shared[ten.ID] = insertCustomer(t, db, ten.ID, func(c *billing.Customer) {
			c.ID, c.Number, c.Name = "cus_same", "C-1", "Same in "+ten.ID
		})
	}
	onlyB := insertCustomer(t, db, b.ID, func(c *billing.Customer) { c.Name = "Only B" })
	mustWrite(t, db, func(tx service.Tx) error {
		for _, ten := range []billing.Tenant{a, b} {
			u := access.User{TenantID: ten.ID, ID: "usr_same", Email: email, Name: "User of " + ten.ID, Role: access.Sales,
				Language: "en", PasswordHash: "h", CreatedAt: at(0), UpdatedAt: at(0)}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			k := access.APIKey{TenantID: ten.ID, ID: "key_same", Name: "k", Prefix: "fk_", Hash: "hash-" + ten.ID, Role: access.Sales,
				CreatedBy: "x", CreatedAt: at(0)}
			if err := tx.InsertAPIKey(ctx, k); err != nil {
				return err
			}
			e := service.AuditEntry{TenantID: ten.ID, ID: "aud_same", At: at(0), ActorType: "system", ActorID: "system",
				ActorName: "t", Action: "x", TargetType: "customer", TargetID: "cus_same"}
			if err := tx.InsertAudit(ctx, e); err != nil {
				return err
			}
		}
		u := access.User{TenantID: b.ID, ID: "usr_only_b", Email: "b." + email, Name: "B", Role: access.Sales, Language: "en",
			PasswordHash: "h", CreatedAt: at(0), UpdatedAt: at(0)}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		return tx.InsertAPIKey(ctx, access.APIKey{TenantID: b.ID, ID: "key_only_b", Name: "k", Prefix: "fk_", Hash: "hash-only-" + b.ID,
			Role: access.Sales, CreatedBy: "x", CreatedAt: at(0)})
	})

	// Reads see only the caller's tenant.
	if got := getCustomer(t, db, a.ID, "cus_same"); got.Name != "Same in "+a.ID {
		t.Fatalf("tenant A read %q", got.Name)
	}
	if got := getCustomer(t, db, b.ID, "cus_same"); got.Name != "Same in "+b.ID {
		t.Fatalf("tenant B read %q", got.Name)
	}
	mustWrite(t, db, func(tx service.Tx) error {
		_, err := tx.GetCustomer(ctx, a.ID, onlyB.ID)
		wantCode(t, err, fail.NotFound)
		_, err = tx.GetCustomerForUpdate(ctx, a.ID, onlyB.ID)
		wantCode(t, err, fail.NotFound)
		_, err = tx.GetUser(ctx, a.ID, "usr_only_b")
		wantCode(t, err, fail.NotFound)
		return nil
	})
	var custs []billing.Customer
	var users []access.User
	var keys []access.APIKey
	var audit []service.AuditEntry
	mustRead(t, db, func(tx service.Tx) error {
		var err error
		if custs, err = tx.ListCustomers(ctx, a.ID, service.CustomerFilter{Sort: service.SortName, Archived: service.ArchivedInclude, Page: service.Page{Limit: 100}}); err != nil {
			return err
		}
		if users, err = tx.ListUsers(ctx, a.ID); err != nil {
			return err
		}
		if keys, err = tx.ListAPIKeys(ctx, a.ID); err != nil {
			return err
		}
		audit, err = tx.ListAudit(ctx, a.ID, service.AuditFilter{Page: service.Page{Limit: 100}})
		return err
	})
	for _, c := range custs {
		if c.TenantID != a.ID {
			t.Fatalf("ListCustomers for A returned %s of %s", c.ID, c.TenantID)
		}
	}
	if len(custs) != 1 || len(users) != 1 || len(keys) != 1 || len(audit) != 1 {
		t.Fatalf("tenant A lists %d customers, %d users, %d keys, %d audit entries; want 1 of each", len(custs), len(users), len(keys), len(audit))
	}
	if users[0].TenantID != a.ID || keys[0].TenantID != a.ID || audit[0].TenantID != a.ID {
		t.Fatalf("tenant A listed rows of another tenant: %+v %+v %+v", users[0], keys[0], audit[0])
	}

	// Writes with A's id never change B's rows.
	bBefore := getCustomer(t, db, b.ID, "cus_same")
	updA := shared[a.ID]
	updA.Name, updA.UpdatedAt = "Changed by A", at(50)
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, updA) })
	equalCustomer(t, "B's customer after A changed its own", getCustomer(t, db, b.ID, "cus_same"), bBefore)
	stray := onlyB
	stray.TenantID, stray.Name = a.ID, "Hijacked"
	err := db.Write(ctx, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, stray) })
	wantCode(t, err, fail.NotFound)
	equalCustomer(t, "B's customer after A tried to change it", getCustomer(t, db, b.ID, onlyB.ID), onlyB)

	err = db.Write(ctx, func(tx service.Tx) error {
		return tx.UpdateUser(ctx, access.User{TenantID: a.ID, ID: "usr_only_b", Name: "Hijacked", Role: access.Administrator,
			Language: "en", PasswordHash: "x", UpdatedAt: at(9)})
	})
	wantCode(t, err, fail.NotFound)
	mustWrite(t, db, func(tx service.Tx) error {
		if err := tx.UpdateUser(ctx, access.User{TenantID: a.ID, ID: "usr_same", Name: "A renamed", Role: access.Administrator,
			Language: "es", PasswordHash: "x", UpdatedAt: at(9)}); err != nil {
			return err
		}
		ub, err := tx.GetUser(ctx, b.ID, "usr_same")
		if err != nil {
			return err
		}
		if ub.Name != "User of "+b.ID || ub.Role != access.Sales {
			t.Errorf("B's user changed with A's: %+v", ub)
		}
		ob, err := tx.GetUser(ctx, b.ID, "usr_only_b")
		if err != nil {
			return err
		}
		if ob.Name != "B" {
			t.Errorf("B's user renamed by A: %+v", ob)
		}
		return nil
	})

	err = db.Write(ctx, func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, a.ID, "key_only_b", at(3)) })
	wantCode(t, err, fail.NotFound)
	mustWrite(t, db, func(tx service.Tx) error {
		if err := tx.TouchAPIKey(ctx, a.ID, "key_only_b", at(3)); err != nil {
			return err
		}
		return tx.RevokeAPIKey(ctx, a.ID, "key_same", at(4))
	})
	mustRead(t, db, func(tx service.Tx) error {
		for _, h := range []string{"hash-only-" + b.ID, "hash-" + b.ID} {
			k, err := tx.APIKeyByHash(ctx, h)
			if err != nil {
				return err
			}
			if k.RevokedAt != nil || k.LastUsedAt != nil {
				t.Errorf("B's key %s changed by A: %+v", k.ID, k)
			}
		}
		k, err := tx.APIKeyByHash(ctx, "hash-"+a.ID)
		if err != nil {
			return err
		}
		if k.RevokedAt == nil {
			t.Errorf("A's key not revoked")
		}
		return nil
	})

	// Counters are per tenant.
	nextCounter(t, db, a.ID, "n")
	nextCounter(t, db, a.ID, "n")
	if n := nextCounter(t, db, b.ID, "n"); n != 1 {
		t.Fatalf("B's counter = %d after A's went to 2", n)
	}

	// Tenant settings.
	updT := a
	updT.Name, updT.UpdatedAt = "A renamed", at(5)
	mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateTenant(ctx, updT) })
	mustRead(t, db, func(tx service.Tx) error {
		got, err := tx.GetTenant(ctx, b.ID)
		if err != nil {
			return err
		}
		if got.Name != b.Name {
			t.Errorf("B's tenant renamed to %q", got.Name)
		}
		return nil
	})

	// Idempotency keys are per tenant.
	for _, ten := range []billing.Tenant{a, b} {
		rctx, rt := db.BeginRequest(ctx, store.IdempotencyClaim{TenantID: ten.ID, Key: "same-key", RequestHash: "hash " + ten.ID, At: at(0)})
		if err := db.Write(rctx, func(service.Tx) error { return nil }); err != nil || rt.Lost() {
			t.Fatalf("claim in %s: lost=%v err=%v", ten.ID, rt.Lost(), err)
		}
		if err := rt.Commit(ctx, 201, "", []byte(ten.ID)); err != nil {
			t.Fatal(err)
		}
	}
	for _, ten := range []billing.Tenant{a, b} {
		if rec, ok, err := db.IdempotencyRecordOf(ctx, ten.ID, "same-key"); err != nil || !ok || string(rec.Body) != ten.ID {
			t.Fatalf("record of %s: %+v %v %v", ten.ID, rec, ok, err)
		}
	}
}

// --- 3. errors and transactions

func testErrors(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	c := insertCustomer(t, db, ten.ID, nil)
	missing := []struct {
		name string
		fn   func(tx service.Tx) error
	}{
		{"GetTenant", func(tx service.Tx) error { _, err := tx.GetTenant(ctx, "ten_missing"); return err }},
		{"UpdateTenant", func(tx service.Tx) error {
			return tx.UpdateTenant(ctx, billing.Tenant{ID: "ten_missing", Name: "x", Currency: "EUR", TimeZone: "UTC", Language: "en"})
		}},
		{"GetUser", func(tx service.Tx) error { _, err := tx.GetUser(ctx, ten.ID, "usr_missing"); return err }},
		{"UpdateUser", func(tx service.Tx) error {
			return tx.UpdateUser(ctx, access.User{TenantID: ten.ID, ID: "usr_missing", Name: "x", Role: access.Sales})
		}},
		{"GetCustomer", func(tx service.Tx) error { _, err := tx.GetCustomer(ctx, ten.ID, "cus_missing"); return err }},
		{"GetCustomerForUpdate", func(tx service.Tx) error { _, err := tx.GetCustomerForUpdate(ctx, ten.ID, "cus_missing"); return err }},
		{"UpdateCustomer", func(tx service.Tx) error { return tx.UpdateCustomer(ctx, newCustomer(ten.ID, nil)) }},
		{"APIKeyByHash", func(tx service.Tx) error { _, err := tx.APIKeyByHash(ctx, "missing"); return err }},
		{"RevokeAPIKey", func(tx service.Tx) error { return tx.RevokeAPIKey(ctx, ten.ID, "key_missing", at(0)) }},
	}
	for _, m := range missing {
		err := db.Write(ctx, m.fn)
		if !fail.Is(err, fail.NotFound) {
			t.Errorf("%s of a missing row: %v (code %s), want not_found", m.name, err, fail.CodeOf(err))
		}
	}

	// Duplicate customer number: on insert and on update.
	dup := newCustomer(ten.ID, func(d *billing.Customer) { d.Number = c.Number })
	err := db.Write(ctx, func(tx service.Tx) error { return tx.InsertCustomer(ctx, dup) })
	wantFieldConflict(t, err, "number")
	other := insertCustomer(t, db, ten.ID, nil)
	other.Number = c.Number
	err = db.Write(ctx, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, other) })
	wantFieldConflict(t, err, "number")
	// The number is unique per tenant only.
	ten2 := insertTenant(t, db)
	insertCustomer(t, db, ten2.ID, func(d *billing.Customer) { d.Number = c.Number })

	// Foreign keys hold on both engines.
	for name, fn := range map[string]func(tx service.Tx) error{
		"customer of a missing tenant": func(tx service.Tx) error { return tx.InsertCustomer(ctx, newCustomer("ten_missing", nil)) },
		"customer with a parent in another tenant": func(tx service.Tx) error {
			return tx.InsertCustomer(ctx, newCustomer(ten2.ID, func(d *billing.Customer) { d.ParentID = c.ID }))
		},
		"user of a missing customer": func(tx service.Tx) error {
			return tx.InsertUser(ctx, access.User{TenantID: ten.ID, ID: id.New(id.User), Email: uniq() + "@example.com", Name: "x",
				Role: access.Customer, CustomerID: "cus_missing", Language: "en", PasswordHash: "h", CreatedAt: at(0), UpdatedAt: at(0)})
		},
	} {
		if err := db.Write(ctx, fn); err == nil {
			t.Errorf("%s: written, want a foreign-key error", name)
		}
	}
}

func testTransactions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	newTen := func() billing.Tenant {
		return billing.Tenant{ID: id.New(id.Tenant), Name: "T", LegalName: "T", Currency: "EUR", TimeZone: "UTC", Language: "en", CreatedAt: at(0), UpdatedAt: at(0)}
	}
	writeAll := func(tx service.Tx, ten billing.Tenant, c billing.Customer) error {
		if err := tx.InsertTenant(ctx, ten); err != nil {
			return err
		}
		if _, err := tx.NextCounter(ctx, ten.ID, "x"); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, access.User{TenantID: ten.ID, ID: "usr_1", Email: "a@example.com", Name: "A", Role: access.Sales,
			Language: "en", PasswordHash: "h", CreatedAt: at(0), UpdatedAt: at(0)}); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, service.AuditEntry{TenantID: ten.ID, ID: "aud_1", At: at(0), ActorType: "system", ActorID: "system",
			ActorName: "t", Action: "x", TargetType: "tenant", TargetID: ten.ID})
	}
	assertNothing := func(what string, ten billing.Tenant, c billing.Customer) {
		t.Helper()
		mustRead(t, db, func(tx service.Tx) error {
			_, err := tx.GetTenant(ctx, ten.ID)
			wantCode(t, err, fail.NotFound)
			_, err = tx.GetCustomer(ctx, ten.ID, c.ID)
			wantCode(t, err, fail.NotFound)
			users, err := tx.ListUsers(ctx, ten.ID)
			if err != nil || len(users) != 0 {
				t.Errorf("%s: users %v, %v", what, users, err)
			}
			audit, err := tx.ListAudit(ctx, ten.ID, service.AuditFilter{Page: service.Page{Limit: 10}})
			if err != nil || len(audit) != 0 {
				t.Errorf("%s: audit %v, %v", what, audit, err)
			}
			return nil
		})
		// The tenant can be created afterwards, and its counter starts at 1.
		mustWrite(t, db, func(tx service.Tx) error { return tx.InsertTenant(ctx, ten) })
		if n := nextCounter(t, db, ten.ID, "x"); n != 1 {
			t.Errorf("%s: counter after rollback = %d, want 1", what, n)
		}
	}

	// An error rolls everything back and is returned as is.
	ten := newTen()
	c := newCustomer(ten.ID, nil)
	boom := fail.Conflictf("boom")
	err := db.Write(ctx, func(tx service.Tx) error {
		if err := writeAll(tx, ten, c); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", boom)
	})
	if !errors.Is(err, boom) || !fail.Is(err, fail.Conflict) {
		t.Fatalf("Write returned %v, want the function's error", err)
	}
	assertNothing("rollback", ten, c)

	// A panic rolls back and is re-raised with the same value, several times
	// in a row: the connection is released every time.
	for i := range 3 {
		ten := newTen()
		c := newCustomer(ten.ID, nil)
		type sentinel struct{ n int }
		got := func() (p any) {
			defer func() { p = recover() }()
			_ = db.Write(ctx, func(tx service.Tx) error {
				if err := writeAll(tx, ten, c); err != nil {
					t.Errorf("write: %v", err)
				}
				panic(sentinel{i})
			})
			return nil
		}()
		if got != (sentinel{i}) {
			t.Fatalf("recovered %v, want the panic value re-raised", got)
		}
		// The connection went back to the pool: a write gets one (on SQLite
		// there is only one), rather than waiting for ever.
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := db.Write(wctx, func(tx service.Tx) error { _, err := tx.ListTenants(wctx); return err })
		cancel()
		if err != nil {
			t.Fatalf("write after a panic: %v", err)
		}
		assertNothing("panic", ten, c)
	}

	// A read transaction cannot write.
	ten = newTen()
	err = db.Read(ctx, func(tx service.Tx) error { return tx.InsertTenant(ctx, ten) })
	if err == nil {
		t.Fatal("Read let a transaction insert a tenant")
	}
	mustRead(t, db, func(tx service.Tx) error {
		_, err := tx.GetTenant(ctx, ten.ID)
		wantCode(t, err, fail.NotFound)
		return nil
	})

	// A read transaction is one snapshot: a commit made meanwhile is not seen.
	ten = insertTenant(t, db)
	c = insertCustomer(t, db, ten.ID, func(c *billing.Customer) { c.Name = "before" })
	mustRead(t, db, func(tx service.Tx) error {
		first, err := tx.GetCustomer(ctx, ten.ID, c.ID)
		if err != nil {
			return err
		}
		upd := first
		upd.Name = "after"
		mustWrite(t, db, func(tx service.Tx) error { return tx.UpdateCustomer(ctx, upd) })
		second, err := tx.GetCustomer(ctx, ten.ID, c.ID)
		if err != nil {
			return err
		}
		if second.Name != "before" {
			t.Errorf("a read transaction saw a later commit: %q", second.Name)
		}
		return nil
	})
	if got := getCustomer(t, db, ten.ID, c.ID); got.Name != "after" {
		t.Fatalf("update lost: %q", got.Name)
	}

	// A cancelled context fails the transaction without writing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	ten = newTen()
	if err := db.Write(cctx, func(tx service.Tx) error { return tx.InsertTenant(cctx, ten) }); err == nil {
		t.Fatal("Write with a cancelled context succeeded")
	}
	mustRead(t, db, func(tx service.Tx) error {
		_, err := tx.GetTenant(ctx, ten.ID)
		wantCode(t, err, fail.NotFound)
		return nil
	})
}

// --- 4. listing

// listFixture is a tenant with customers crafted for filters and sorting:
// ties on name, created_at and updated_at; accents, case and LIKE wildcards
// in names; every filter value present and absent.
type listFixture struct {
	tenant    billing.Tenant
	customers []billing.Customer
	p1, p2    string
}

func makeListFixture(t *testing.T, db *store.DB) listFixture {
	ctx := context.Background()
	f := listFixture{tenant: insertTenant(t, db)}
	names := []string{"Acme", "Acme", "Acme", "Acme", "acme", "Ábaco Serviços", "Ação Digital", "Zed", "Promo 100% Off",
		"Promo 1000 Off", "Under_score Ltd", "Underxscore Ltd", `Back\slash Co`, "Beta", "beta", "João & Filhos", "Ñandú",
		"Émile", "Acme", "Zulu 🚀", "acme corp", "ACME", "Zed", "Acme"}
	parent := func(name, number string) billing.Customer {
		return newCustomer(f.tenant.ID, func(c *billing.Customer) {
			c.Name, c.Number, c.CreatedAt, c.UpdatedAt = name, number, at(-100), at(-100)
			c.Billing.Address.Country = "US"
		})
	}
	p1, p2 := parent("Parent One", "P-1"), parent("Parent Two", "P-2")
	f.p1, f.p2 = p1.ID, p2.ID
	f.customers = append(f.customers, p1, p2)
	for i, name := range names {
		number := fmt.Sprintf("C-%04d", i)
		switch i {
		case 16:
			number = "a-1"
		case 17:
			number = "Z9"
		case 18:
			number = "10"
		case 19:
			number = "9"
		}
		c := newCustomer(f.tenant.ID, func(c *billing.Customer) {
			c.ID = id.NewAt(id.Customer, at(i%3)) // ids not in insertion order
			c.Number, c.Name = number, name
			c.Billing = billing.BillingInfo{LegalName: name + " S.A.", Email: "billing@example.com",
				Currency: []string{"EUR", "USD", "BRL", ""}[i%4],
				Address:  billing.Address{Line1: "x", City: "y", Country: []string{"ES", "PT", "BR"}[i%3]}}
			c.HasBillingInfo = i%2 == 0
			c.SalesTaxGroup = []string{"EU", "DOM", ""}[(i/2)%3]
			c.SAPID = fmt.Sprintf("SAP-%d", i)
			switch i % 4 {
			case 1:
				c.ParentID = p1.ID
			case 2:
				c.ParentID = p2.ID
			}
			if i%5 == 3 {
				c.ArchivedAt = ptr(at(20))
			}
			c.CreatedAt = at(i / 3)        // groups of three share created_at
			c.UpdatedAt = at(10 + (i*7)%5) // and of about five updated_at
		})
		f.customers = append(f.customers, c)
	}
	mustWrite(t, db, func(tx service.Tx) error {
		for _, c := range f.customers {
			if err := tx.InsertCustomer(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

// matches is the Go rendering of a customer filter.
func matches(c billing.Customer, f service.CustomerFilter) bool {
	switch f.Archived {
	case service.ArchivedOnly:
		if c.ArchivedAt == nil {
			return false
		}
	case service.ArchivedInclude:
	default:
		if c.ArchivedAt != nil {
			return false
		}
	}
	return (f.HasBillingInfo == nil || c.HasBillingInfo == *f.HasBillingInfo) &&
		(f.Currency == "" || c.Billing.Currency == f.Currency) &&
		(f.Country == "" || c.Billing.Address.Country == strings.ToUpper(f.Country)) &&
		(f.ParentID == "" || c.ParentID == f.ParentID) &&
		(f.SalesTaxGroup == "" || c.SalesTaxGroup == f.SalesTaxGroup) &&
		(f.CustomerID == "" || c.ID == f.CustomerID) &&
		(f.Query == "" || strings.Contains(c.SearchText(), billing.Fold(f.Query)))
}

// expected filters and sorts customers in Go: by the sort value, then id.
func expected(all []billing.Customer, f service.CustomerFilter) []string {
	var out []billing.Customer
	for _, c := range all {
		if matches(c, f) {
			out = append(out, c)
		}
	}
	sort := f.Sort
	if sort == "" {
		sort = service.SortNumber
	}
	slices.SortFunc(out, func(a, b billing.Customer) int {
		r := strings.Compare(service.CustomerSortValue(a, sort), service.CustomerSortValue(b, sort))
		if r == 0 {
			r = strings.Compare(a.ID, b.ID)
		}
		if f.Desc {
			r = -r
		}
		return r
	})
	ids := []string{}
	for _, c := range out {
		ids = append(ids, c.ID)
	}
	return ids
}

func namesOf(all []billing.Customer, ids []string) []string {
	byID := map[string]string{}
	for _, c := range all {
		byID[c.ID] = c.Name
	}
	var out []string
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out
}

func testListCustomersFilters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := makeListFixture(t, db)
	svc := service.New(db)
	yes, no := true, false
	filters := []struct {
		name string
		f    service.CustomerFilter
		want int // expected count where the case is about the text, -1 to skip
	}{
		{"default excludes archived", service.CustomerFilter{}, -1},
		{"exclude archived", service.CustomerFilter{Archived: service.ArchivedExclude}, -1},
		{"include archived", service.CustomerFilter{Archived: service.ArchivedInclude}, len(f.customers)},
		{"only archived", service.CustomerFilter{Archived: service.ArchivedOnly}, -1},
		{"with billing info", service.CustomerFilter{HasBillingInfo: &yes}, -1},
		{"without billing info", service.CustomerFilter{HasBillingInfo: &no, Archived: service.ArchivedInclude}, -1},
		{"currency EUR", service.CustomerFilter{Currency: "EUR"}, -1},
		{"currency USD incl. archived", service.CustomerFilter{Currency: "USD", Archived: service.ArchivedInclude}, -1},
		{"currency nobody has", service.CustomerFilter{Currency: "JPY"}, 0},
		{"country es, lower case", service.CustomerFilter{Country: "es"}, -1},
		{"country BR", service.CustomerFilter{Country: "BR", Archived: service.ArchivedInclude}, -1},
		{"parent one", service.CustomerFilter{ParentID: f.p1}, -1},
		{"parent two, archived only", service.CustomerFilter{ParentID: f.p2, Archived: service.ArchivedOnly}, -1},
		{"unknown parent", service.CustomerFilter{ParentID: "cus_missing"}, 0},
		{"sales tax group EU", service.CustomerFilter{SalesTaxGroup: "EU"}, -1},
		{"sales tax group DOM incl. archived", service.CustomerFilter{SalesTaxGroup: "DOM", Archived: service.ArchivedInclude}, -1},
		{"one customer", service.CustomerFilter{CustomerID: f.customers[5].ID, Archived: service.ArchivedInclude}, 1},
		{"query acme, any case", service.CustomerFilter{Query: "acme", Archived: service.ArchivedInclude}, 9},
		{"query with accents", service.CustomerFilter{Query: "AÇÃO", Archived: service.ArchivedInclude}, 1},
		{"query without accents", service.CustomerFilter{Query: "joao", Archived: service.ArchivedInclude}, 1},
		{"query emoji", service.CustomerFilter{Query: "🚀", Archived: service.ArchivedInclude}, 1},
		{"query % is literal", service.CustomerFilter{Query: "100%", Archived: service.ArchivedInclude}, 1},
		{"query % alone", service.CustomerFilter{Query: "%", Archived: service.ArchivedInclude}, 1},
		{"query without %", service.CustomerFilter{Query: "100", Archived: service.ArchivedInclude}, 2},
		{"query _ is literal", service.CustomerFilter{Query: "r_s", Archived: service.ArchivedInclude}, 1},
		{"query _ alone", service.CustomerFilter{Query: "_", Archived: service.ArchivedInclude}, 1},
		{"query backslash", service.CustomerFilter{Query: `k\s`, Archived: service.ArchivedInclude}, 1},
		{"query backslash alone", service.CustomerFilter{Query: `\`, Archived: service.ArchivedInclude}, 1},
		{"query SAP id", service.CustomerFilter{Query: "sap-13", Archived: service.ArchivedInclude}, 1},
		{"query number", service.CustomerFilter{Query: "Z9", Archived: service.ArchivedInclude}, 1},
		{"query no match", service.CustomerFilter{Query: "no such thing"}, 0},
		{"everything at once", service.CustomerFilter{Query: "acme", Currency: "EUR", Country: "ES", HasBillingInfo: &yes, Archived: service.ArchivedInclude}, -1},
	}
	for _, tc := range filters {
		for _, s := range service.CustomerSorts {
			for _, desc := range []bool{false, true} {
				flt := tc.f
				flt.Sort, flt.Desc = s, desc
				want := expected(f.customers, flt)
				if tc.want >= 0 && len(want) != tc.want {
					t.Fatalf("%s: the fixture has %d matches, the case expects %d", tc.name, len(want), tc.want)
				}
				// Directly on the store (the service folds the query first).
				direct := flt
				direct.Query = billing.Fold(flt.Query)
				direct.Page.Limit = 1000
				var rows []billing.Customer
				mustRead(t, db, func(tx service.Tx) error {
					var err error
					rows, err = tx.ListCustomers(ctx, f.tenant.ID, direct)
					return err
				})
				var got []string
				for _, c := range rows {
					got = append(got, c.ID)
				}
				if got == nil {
					got = []string{}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s sorted by %s desc=%v:\n got  %q\n want %q", tc.name, s, desc, namesOf(f.customers, got), namesOf(f.customers, want))
				}
				// Through the service, with its own defaults and folding.
				if s != service.SortNumber || desc {
					continue
				}
				page, err := svc.ListCustomers(ctx, system(f.tenant.ID), tc.f)
				if err != nil {
					t.Fatalf("%s via the service: %v", tc.name, err)
				}
				got = []string{}
				for _, c := range page.Items {
					got = append(got, c.ID)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s via the service:\n got  %q\n want %q", tc.name, namesOf(f.customers, got), namesOf(f.customers, want))
				}
			}
		}
	}

	// An unknown sort column is invalid, not an SQL error.
	err := db.Read(ctx, func(tx service.Tx) error {
		_, err := tx.ListCustomers(ctx, f.tenant.ID, service.CustomerFilter{Sort: "name; DROP TABLE customers", Page: service.Page{Limit: 1}})
		return err
	})
	wantCode(t, err, fail.Invalid)
}

func testListCustomersKeyset(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := makeListFixture(t, db)
	svc := service.New(db)
	yes := true
	bases := []service.CustomerFilter{
		{Archived: service.ArchivedInclude},
		{},
		{HasBillingInfo: &yes, Query: "ac"},
	}
	for bi, base := range bases {
		for _, s := range service.CustomerSorts {
			for _, desc := range []bool{false, true} {
				flt := base
				flt.Sort, flt.Desc = s, desc
				want := expected(f.customers, flt)
				for _, limit := range []int{1, 2, 3, 7, len(want), len(want) + 1} {
					if limit == 0 {
						continue
					}
					var got []string
					seen := map[string]bool{}
					cursor := ""
					for pages := 0; ; pages++ {
						if pages > len(want)+1 {
							t.Fatalf("filter %d sort %s desc=%v limit %d: pagination does not end", bi, s, desc, limit)
						}
						pf := flt
						pf.Page = service.Page{Limit: limit, Cursor: cursor}
						page, err := svc.ListCustomers(ctx, system(f.tenant.ID), pf)
						if err != nil {
							t.Fatalf("page %d: %v", pages, err)
						}
						if len(page.Items) > limit || (page.Next != "" && len(page.Items) != limit) {
							t.Fatalf("page %d has %d items (limit %d, next %q)", pages, len(page.Items), limit, page.Next)
						}
						for _, c := range page.Items {
							if seen[c.ID] {
								t.Fatalf("filter %d sort %s desc=%v limit %d: %s (%s) on two pages", bi, s, desc, limit, c.ID, c.Name)
							}
							seen[c.ID] = true
							got = append(got, c.ID)
						}
						if cursor = page.Next; cursor == "" {
							break
						}
					}
					if got == nil {
						got = []string{}
					}
					if !slices.Equal(got, want) {
						t.Fatalf("filter %d sort %s desc=%v limit %d:\n got  %q\n want %q", bi, s, desc, limit,
							namesOf(f.customers, got), namesOf(f.customers, want))
					}
				}
			}
		}
	}
	// The fixture really has the ties this test is about.
	count := map[string]int{}
	for _, c := range f.customers {
		count["name "+c.Name]++
		count["created "+c.CreatedAt.String()]++
		count["updated "+c.UpdatedAt.String()]++
	}
	if count["name Acme"] < 5 || count["created "+at(0).String()] < 3 || count["updated "+at(10).String()] < 3 {
		t.Fatalf("fixture lacks ties: %v", count)
	}
}

// --- 5. concurrency

func testConcurrentCounters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	const n = 50
	got := make(chan int64, n)
	errs := make(chan error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			err := db.Write(ctx, func(tx service.Tx) error {
				v, err := tx.NextCounter(ctx, ten.ID, "invoice")
				if err == nil {
					got <- v
				}
				return err
			})
			if err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(got)
	close(errs)
	for err := range errs {
		t.Errorf("NextCounter: %v", err)
	}
	var vals []int64
	for v := range got {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	for i, v := range vals {
		if v != int64(i+1) {
			t.Fatalf("counter values %v are not 1..%d", vals, n)
		}
	}
	if len(vals) != n {
		t.Fatalf("%d values, want %d", len(vals), n)
	}
}

func testConcurrentCustomerUpdates(t *testing.T, db *store.DB) {
	ctx := context.Background()
	svc := service.New(db)
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Concurrent " + uniq(), Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	sys := system(ten.ID)
	// Each goroutine changes a different field; the service replaces the
	// whole customer row, so a lost update would drop another's field.
	for round := range 3 {
		patches := []service.CustomerInput{
			{Name: ptr("Renamed")},
			{Number: ptr(fmt.Sprintf("NEW-%d", round))},
			{SAPID: ptr("SAP-1")},
			{BillingContractNumber: ptr("BC-1")},
			{SalesAccountExecutive: ptr("Eva")},
			{SalesTaxGroup: ptr("EU")},
			{PaymentTermsDays: ptr(60)},
			{CreditLimit: ptr("1000.5")},
			{Contacts: &[]billing.Contact{{Name: "Ana", Email: "ana@example.com"}}},
			{CustomFields: &map[string]string{"k": "v"}},
			{Billing: &service.BillingInput{TaxID: ptr("ES123")}},
			{Billing: &service.BillingInput{LegalName: ptr("Legal S.L.")}},
			{Billing: &service.BillingInput{Email: ptr("pay@example.com")}},
			{Billing: &service.BillingInput{Language: ptr("es")}},
		}
		c, err := svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: ptr("Original")})
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		errs := make(chan error, len(patches))
		var wg sync.WaitGroup
		for _, p := range patches {
			wg.Go(func() {
				<-start
				if _, err := svc.UpdateCustomer(ctx, sys, c.ID, p); err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: UpdateCustomer: %v", round, err)
		}
		got := getCustomer(t, db, ten.ID, c.ID)
		ok := got.Name == "Renamed" && got.Number == fmt.Sprintf("NEW-%d", round) && got.SAPID == "SAP-1" && got.BillingContractNumber == "BC-1" &&
			got.SalesAccountExecutive == "Eva" && got.SalesTaxGroup == "EU" && got.PaymentTermsDays == 60 &&
			got.CreditLimit.Decimal().String() == "1000.5" && len(got.Contacts) == 1 && got.CustomFields["k"] == "v" &&
			got.Billing.TaxID == "ES123" && got.Billing.LegalName == "Legal S.L." && got.Billing.Email == "pay@example.com" &&
			got.Billing.Language == "es"
		if !ok {
			t.Fatalf("round %d: a concurrent update was lost: %+v", round, got)
		}
		page, err := svc.ListAudit(ctx, sys, service.AuditFilter{TargetID: c.ID, Action: "customer.updated", Page: service.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != len(patches) {
			t.Fatalf("round %d: %d audit entries, want %d", round, len(page.Items), len(patches))
		}
	}
}

func testConcurrentCustomerCreates(t *testing.T, db *store.DB) {
	ctx := context.Background()
	svc := service.New(db)
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Numbers " + uniq(), Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	start := make(chan struct{})
	numbers := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			c, err := svc.CreateCustomer(ctx, system(ten.ID), service.CustomerInput{Name: ptr(fmt.Sprintf("Customer %d", i))})
			if err != nil {
				t.Errorf("create: %v", err)
				return
			}
			numbers <- c.Number
		})
	}
	close(start)
	wg.Wait()
	close(numbers)
	var got []string
	for v := range numbers {
		got = append(got, v)
	}
	slices.Sort(got)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("C-%06d", i))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
}

// --- 6. sessions and idempotency records

func testSessions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	tok, gone := "tok-"+uniq(), "expired-"+uniq()
	find := func(token string) ([]byte, bool) {
		t.Helper()
		b, ok, err := db.FindCtx(ctx, token)
		if err != nil {
			t.Fatalf("find: %v", err)
		}
		return b, ok
	}
	if _, ok := find(tok); ok {
		t.Fatal("found a session never saved")
	}
	data := []byte{0, 1, 2, 0xff, 'a', 0xc3}
	if err := db.CommitCtx(ctx, tok, data, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, ok := find(tok); !ok || !bytes.Equal(b, data) {
		t.Fatalf("find = %v, %v; want %v", b, ok, data)
	}
	// Commit again replaces data and expiry.
	if err := db.CommitCtx(ctx, tok, []byte("second"), time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, ok := find(tok); !ok || string(b) != "second" {
		t.Fatalf("after recommit: %q, %v", b, ok)
	}
	// An expired session is not found.
	if err := db.Commit(gone, []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, ok := find(gone); ok {
		t.Fatal("found an expired session")
	}
	// Extending an expired session brings it back; moving it into the past hides it.
	if err := db.CommitCtx(ctx, tok, []byte("second"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Find(tok); ok || err != nil {
		t.Fatalf("session with a past expiry: found=%v err=%v", ok, err)
	}
	if err := db.CommitCtx(ctx, tok, []byte("third"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteCtx(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, ok := find(tok); ok {
		t.Fatal("found a deleted session")
	}
	if err := db.Delete("never-existed"); err != nil {
		t.Fatalf("deleting a missing session: %v", err)
	}
}

func testIdempotency(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	t0 := at(0)
	claim := func(key, hash string) store.IdempotencyClaim {
		return store.IdempotencyClaim{TenantID: ten.ID, Key: key, RequestHash: hash, At: t0}
	}
	record := func(key string) (store.IdempotencyRecord, bool) {
		t.Helper()
		rec, ok, err := db.IdempotencyRecordOf(ctx, ten.ID, key)
		if err != nil {
			t.Fatal(err)
		}
		return rec, ok
	}
	exists := func(c billing.Customer) bool {
		t.Helper()
		var found bool
		mustRead(t, db, func(tx service.Tx) error {
			_, err := tx.GetCustomer(ctx, ten.ID, c.ID)
			found = err == nil
			return nil
		})
		return found
	}

	// The key, the response and the change commit together; a read of the
	// request sees its own write; a failed write undoes only itself.
	rctx, rt := db.BeginRequest(ctx, claim("k1", "h1"))
	if _, ok := record("k1"); ok {
		t.Fatal("the key is stored before the request wrote anything")
	}
	c1, c2 := newCustomer(ten.ID, nil), newCustomer(ten.ID, nil)
	if err := db.Write(rctx, func(tx service.Tx) error { return tx.InsertCustomer(rctx, c1) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Read(rctx, func(tx service.Tx) error { _, err := tx.GetCustomer(rctx, ten.ID, c1.ID); return err }); err != nil {
		t.Fatalf("the request does not read its own write: %v", err)
	}
	boom := errors.New("boom")
	if err := db.Write(rctx, func(tx service.Tx) error {
		if err := tx.InsertCustomer(rctx, c2); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	// On PostgreSQL a failed statement poisons a transaction unless it ran
	// in a savepoint: the request goes on after one.
	if err := db.Write(rctx, func(tx service.Tx) error { return tx.InsertCustomer(rctx, c1) }); err == nil {
		t.Fatal("inserting a customer twice succeeded")
	}
	body := []byte(`{"id":"cus_1","name":"Ação 🚀"}` + "\x00\xff")
	if err := rt.Commit(ctx, 201, "application/json; charset=utf-8", body); err != nil {
		t.Fatal(err)
	}
	if !exists(c1) || exists(c2) {
		t.Fatalf("after commit: c1 %v (want true), c2 %v (want false)", exists(c1), exists(c2))
	}
	rec, ok := record("k1")
	if !ok || rec.State != store.IdemDone || rec.StatusCode != 201 || rec.ContentType != "application/json; charset=utf-8" ||
		!bytes.Equal(rec.Body, body) || rec.RequestHash != "h1" {
		t.Fatalf("stored record: %v %+v", ok, rec)
	}
	// Calls after the end run on their own.
	if err := db.Write(rctx, func(tx service.Tx) error { return nil }); err != nil {
		t.Fatalf("write after commit: %v", err)
	}

	// A later request with the key loses it: its writes are refused.
	rctx, rt = db.BeginRequest(ctx, claim("k1", "h1"))
	c3 := newCustomer(ten.ID, nil)
	if err := db.Write(rctx, func(tx service.Tx) error { return tx.InsertCustomer(rctx, c3) }); !errors.Is(err, store.ErrIdempotencyKeyTaken) || !rt.Lost() {
		t.Fatalf("write under a completed key: %v lost=%v", err, rt.Lost())
	}
	if err := db.Read(rctx, func(service.Tx) error { return nil }); !errors.Is(err, store.ErrIdempotencyKeyTaken) {
		t.Fatalf("read under a lost key: %v", err)
	}
	if err := rt.Rollback(); err != nil {
		t.Fatal(err)
	}
	if exists(c3) {
		t.Fatal("a request under a taken key wrote")
	}

	// Rollback forgets the change and the key.
	rctx, rt = db.BeginRequest(ctx, claim("k2", "h2"))
	c4 := newCustomer(ten.ID, nil)
	if err := db.Write(rctx, func(tx service.Tx) error { return tx.InsertCustomer(rctx, c4) }); err != nil {
		t.Fatal(err)
	}
	if err := rt.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, ok := record("k2"); ok || exists(c4) {
		t.Fatalf("after rollback: key kept %v, customer kept %v", ok, exists(c4))
	}

	// A request that wrote nothing stores its response on its own; an empty
	// body is stored and read back as empty. A stored record stays.
	_, rt = db.BeginRequest(ctx, claim("k2", "h2"))
	if err := rt.Commit(ctx, 204, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveIdempotencyRecord(ctx, claim("k2", "other"), 409, "x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if rec, ok := record("k2"); !ok || rec.StatusCode != 204 || len(rec.Body) != 0 || rec.RequestHash != "h2" || rec.State != store.IdemDone {
		t.Fatalf("empty response: %v %+v", ok, rec)
	}

	// Concurrent requests with one new key: exactly one writes; the others
	// wait for it and find the key taken.
	const n = 10
	start := make(chan struct{})
	var wg sync.WaitGroup
	var won, lost atomic.Int32
	for range n {
		wg.Go(func() {
			<-start
			rctx, rt := db.BeginRequest(ctx, claim("race", "h"))
			err := db.Write(rctx, func(tx service.Tx) error { _, err := tx.NextCounter(rctx, ten.ID, "race"); return err })
			switch {
			case rt.Lost():
				lost.Add(1)
				_ = rt.Rollback()
			case err != nil:
				t.Errorf("write: %v", err)
				_ = rt.Rollback()
			default:
				if err := rt.Commit(ctx, 200, "", nil); err != nil {
					t.Errorf("commit: %v", err)
				}
				won.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 || lost.Load() != n-1 {
		t.Fatalf("%d concurrent requests wrote and %d lost, want 1 and %d", won.Load(), lost.Load(), n-1)
	}
	var next int64
	mustWrite(t, db, func(tx service.Tx) error { var err error; next, err = tx.NextCounter(ctx, ten.ID, "race"); return err })
	if next != 2 {
		t.Fatalf("the counter moved %d times, want once", next-1)
	}

	// Detached work never joins the request; on SQLite it cannot start
	// while the request holds the only writer (it would wait for itself).
	rctx, rt = db.BeginRequest(ctx, claim("k3", "h3"))
	defer rt.Rollback()
	if err := db.Write(rctx, func(service.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	err := db.Write(service.Detach(rctx), func(service.Tx) error { return nil })
	if db.Engine() == store.SQLite && err == nil {
		t.Fatal("a detached write started while its request held the SQLite writer")
	}
	if db.Engine() == store.Postgres && err != nil {
		t.Fatalf("detached write on PostgreSQL: %v", err)
	}
}

// countWhere counts rows of table matching a condition without parameters.
func countWhere(t testing.TB, db *store.DB, table, cond string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT count(*) FROM " + table + " WHERE " + cond).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func testPurgeExpired(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ten := insertTenant(t, db)
	u := uniq()
	now := time.Now().UTC()
	keep := 24 * time.Hour
	sessions := map[string]time.Time{"purge-old-" + u: now.Add(-time.Hour), "purge-now-" + u: now, "purge-live-" + u: now.Add(time.Hour)}
	for tok, exp := range sessions {
		if err := db.CommitCtx(ctx, tok, []byte("x"), exp); err != nil {
			t.Fatal(err)
		}
	}
	for key, created := range map[string]time.Time{"old": now.Add(-keep - time.Second), "recent": now.Add(-keep + time.Second)} {
		if err := db.SaveIdempotencyRecord(ctx, store.IdempotencyClaim{TenantID: ten.ID, Key: key, RequestHash: "h", At: created}, 200, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, db, func(tx service.Tx) error {
		for _, a := range []service.LoginAttempt{
			{Email: "old." + u + "@example.com", IP: "ip", At: now.Add(-keep - time.Second)},
			{Email: "recent." + u + "@example.com", IP: "ip", At: now.Add(-keep + time.Second)},
		} {
			if err := tx.InsertLoginAttempt(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.PurgeExpired(ctx, now, keep); err != nil {
		t.Fatal(err)
	}
	if n := countWhere(t, db, "sessions", "token LIKE 'purge-%-"+u+"'"); n != 1 {
		t.Fatalf("%d sessions left, want only the live one", n)
	}
	if _, ok, _ := db.FindCtx(ctx, "purge-live-"+u); !ok {
		t.Fatal("the live session was purged")
	}
	if n := countWhere(t, db, "idempotency_keys", "tenant_id = '"+ten.ID+"'"); n != 1 {
		t.Fatalf("%d idempotency records left, want 1", n)
	}
	if _, ok, _ := db.IdempotencyRecordOf(ctx, ten.ID, "old"); ok {
		t.Fatal("the old idempotency record was not purged")
	}
	if n := countWhere(t, db, "login_attempts", "email LIKE '%."+u+"@example.com'"); n != 1 {
		t.Fatalf("%d login attempts left, want 1", n)
	}
	// Purging again changes nothing and is safe.
	if err := db.PurgeExpired(ctx, now, keep); err != nil {
		t.Fatal(err)
	}
}
