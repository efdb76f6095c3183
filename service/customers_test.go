package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func TestCreateCustomerNumbering(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var got []string
		for _, n := range []string{"Uno", "Dos"} {
			got = append(got, e.customer(t, e.pa, n).Number)
		}
		// An explicit number does not use the series.
		explicit := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("Manual"), Number: ptr("VIP-7")})).ok(t)
		if explicit.Number != "VIP-7" {
			t.Errorf("explicit number became %q", explicit.Number)
		}
		got = append(got, e.customer(t, e.pa, "Tres").Number)
		if want := []string{"C-000001", "C-000002", "C-000003"}; !slices.Equal(got, want) {
			t.Errorf("tenant A numbers %v, want %v", got, want)
		}
		// Each tenant has its own series.
		if n := e.customer(t, e.pb, "Um").Number; n != "C-000001" {
			t.Errorf("tenant B's first customer is %s, want C-000001", n)
		}
		// A refused create gives its number back: the series stays gapless.
		_, err := e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("Bad link"), ParentID: ptr("cus_missing")})
		wantCode(t, err, fail.Invalid)
		if n := e.customer(t, e.pa, "Cuatro").Number; n != "C-000004" {
			t.Errorf("after a refused create the next number is %s, want C-000004", n)
		}
		// Duplicate explicit numbers conflict, per tenant.
		before := e.snapshot(t)
		_, err = e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("Dup"), Number: ptr("C-000001")})
		wantCode(t, err, fail.Conflict)
		wantFields(t, err, "number")
		e.unchanged(t, before)
		if _, err := e.svc.CreateCustomer(e.ctx, e.pb, service.CustomerInput{Name: ptr("Same number, other tenant"), Number: ptr("VIP-7")}); err != nil {
			t.Errorf("tenant B cannot use a number tenant A uses: %v", err)
		}
	})
}

func TestCreateCustomerDefaultsAndAudit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{
			Name: ptr(" Padaria São João "),
			Billing: &service.BillingInput{LegalName: ptr("Padaria São João Ltda."), Email: ptr("financeiro@padaria.com.br"),
				Currency: ptr("brl"), Language: ptr("pt"), Address: &billing.Address{Line1: "Rua Augusta 1500", City: "São Paulo", Country: "br"}},
			CreditLimit:  ptr("1500.50"),
			CustomFields: &map[string]string{"segment": "food"},
		})).ok(t)
		if c.Name != "Padaria São João" || c.PaymentTermsDays != 30 || c.Billing.Language != "pt-BR" || c.Billing.Currency != "BRL" ||
			c.Billing.Address.Country != "BR" || !c.HasBillingInfo || !c.CreditLimit.Decimal().Equal(decimal.RequireFromString("1500.5")) {
			t.Errorf("created %+v", c)
		}
		got := must(e.svc.GetCustomer(e.ctx, e.pa, c.ID)).ok(t)
		if got.Name != c.Name || got.Number != c.Number || !got.HasBillingInfo || got.Billing != c.Billing ||
			!got.CreditLimit.Equal(c.CreditLimit) || got.CustomFields["segment"] != "food" {
			t.Errorf("read back %+v\nwant %+v", got, c)
		}
		entries := e.audit(t, e.pa, service.AuditFilter{TargetID: c.ID})
		if len(entries) != 1 {
			t.Fatalf("%d audit entries for a create, want 1", len(entries))
		}
		a := entries[0]
		if a.Action != "customer.created" || a.TargetType != "customer" || a.ActorType != "user" || a.ActorID != e.adminA.ID ||
			a.ActorName != e.adminA.Name || !strings.Contains(string(a.Changes), "Padaria") {
			t.Errorf("audit entry %+v", a)
		}
	})
}

func TestCreateCustomerInvalidWritesNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		other := e.customer(t, e.pb, "Tenant B's customer")
		tests := []struct {
			name   string
			in     service.CustomerInput
			fields []string
		}{
			{"no name", service.CustomerInput{}, []string{"name"}},
			{"bad email and currency", service.CustomerInput{Name: ptr("X"), Billing: &service.BillingInput{Email: ptr("x"), Currency: ptr("EURO")}},
				[]string{"billing.email", "billing.currency"}},
			{"credit limit text", service.CustomerInput{Name: ptr("X"), CreditLimit: ptr("lots")}, []string{"credit_limit"}},
			{"credit limit float syntax", service.CustomerInput{Name: ptr("X"), CreditLimit: ptr("1e3")}, []string{"credit_limit"}},
			{"credit limit JPY decimals", service.CustomerInput{Name: ptr("X"), CreditLimit: ptr("10.5"), Billing: &service.BillingInput{Currency: ptr("JPY")}},
				[]string{"credit_limit"}},
			// Without a billing currency the limit is in the tenant's (EUR).
			{"credit limit decimals in the tenant's currency", service.CustomerInput{Name: ptr("X"), CreditLimit: ptr("100.123")},
				[]string{"credit_limit"}},
			{"payment terms", service.CustomerInput{Name: ptr("X"), PaymentTermsDays: ptr(-5)}, []string{"payment_terms_days"}},
			{"custom field key", service.CustomerInput{Name: ptr("X"), CustomFields: &map[string]string{"Bad Key": "v"}}, []string{"custom_fields.Bad Key"}},
			{"parent missing", service.CustomerInput{Name: ptr("X"), ParentID: ptr("cus_nope")}, []string{"parent_id"}},
			{"parent in other tenant", service.CustomerInput{Name: ptr("X"), ParentID: ptr(other.ID)}, []string{"parent_id"}},
			{"invoice account in other tenant", service.CustomerInput{Name: ptr("X"), InvoiceAccountID: ptr(other.ID)}, []string{"invoice_account_id"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.snapshot(t)
				_, err := e.svc.CreateCustomer(e.ctx, e.pa, tt.in)
				wantCode(t, err, fail.Invalid)
				wantFields(t, err, tt.fields...)
				e.unchanged(t, before)
			})
		}
		// The refused creates used no number.
		if n := e.customer(t, e.pa, "First real").Number; n != "C-000001" {
			t.Errorf("first customer after refusals is %s", n)
		}
	})
}

func TestUpdateCustomerPatch(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		orig := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{
			Name:     ptr("Northwind Traders"),
			Contacts: &[]billing.Contact{{Name: "Nancy", Email: "nancy@northwind.example"}},
			Billing: &service.BillingInput{LegalName: ptr("Northwind Traders Ltd"), Email: ptr("ap@northwind.example"), Currency: ptr("GBP"),
				TaxID: ptr("GB123"), Address: &billing.Address{Line1: "12 Fleet Street", City: "London", Country: "GB"}},
			PaymentTermsDays: ptr(45), CreditLimit: ptr("25000.00"), SalesTaxGroup: ptr("EU-B2B"), SAPID: ptr("0010004711"),
			BillingContractNumber: ptr("BC-1"), SalesAccountExecutive: ptr("Sam"), CustomFields: &map[string]string{"industry": "retail"},
		})).ok(t)
		auditBefore := e.count(t, "audit_log")

		// Change only the name: everything else stays.
		got := must(e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Name: ptr("Northwind Traders Group")})).ok(t)
		want := orig
		want.Name = "Northwind Traders Group"
		sameCustomer(t, got, want)
		sameCustomer(t, must(e.svc.GetCustomer(e.ctx, e.pa, orig.ID)).ok(t), want)
		if !got.UpdatedAt.After(orig.UpdatedAt) || !got.CreatedAt.Equal(orig.CreatedAt) {
			t.Errorf("timestamps: created %v→%v, updated %v→%v", orig.CreatedAt, got.CreatedAt, orig.UpdatedAt, got.UpdatedAt)
		}

		// Exactly one audit entry, by the admin, with only the name in its diff.
		if n := e.count(t, "audit_log"); n != auditBefore+1 {
			t.Fatalf("%d audit entries written for one update, want 1", n-auditBefore)
		}
		entry := e.audit(t, e.pa, service.AuditFilter{TargetID: orig.ID, Action: "customer.updated"})[0]
		if entry.ActorID != e.adminA.ID || entry.ActorType != "user" || entry.TargetType != "customer" {
			t.Errorf("audit entry %+v", entry)
		}
		wantDiff(t, entry.Changes, map[string][2]any{"name": {"Northwind Traders", "Northwind Traders Group"}})

		// A billing field patch changes that field, leaves the rest of the
		// billing information, and the diff names only what changed.
		got = must(e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Billing: &service.BillingInput{Email: ptr("invoices@northwind.example")}})).ok(t)
		want.Billing.Email = "invoices@northwind.example"
		sameCustomer(t, got, want)
		entries := e.audit(t, e.pa, service.AuditFilter{TargetID: orig.ID, Action: "customer.updated"})
		if len(entries) != 2 {
			t.Fatalf("%d update entries, want 2", len(entries))
		}
		changed := diffKeys(t, entries[0].Changes)
		if !slices.Equal(changed, []string{"billing"}) || !strings.Contains(string(entries[0].Changes), "invoices@northwind.example") {
			t.Errorf("billing email change recorded as %s", entries[0].Changes)
		}

		// Removing the currency would make complete billing information
		// incomplete (and its pending sales items draft again): refused,
		// naming the field (issue 12; it used to be accepted).
		_, err := e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Billing: &service.BillingInput{Currency: ptr("")}, CreditLimit: ptr("")})
		wantFields(t, err, "billing.currency")
		list := must(e.svc.ListCustomers(e.ctx, e.pa, service.CustomerFilter{HasBillingInfo: ptr(true)})).ok(t)
		if !slices.Equal(names(list.Items), []string{"Northwind Traders Group"}) {
			t.Errorf("has_billing_info=true lists %v", names(list.Items))
		}

		// Clearing contacts and custom fields.
		got = must(e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Contacts: &[]billing.Contact{}, CustomFields: &map[string]string{}})).ok(t)
		if len(got.Contacts) != 0 || len(got.CustomFields) != 0 {
			t.Errorf("contacts %v, custom fields %v after clearing", got.Contacts, got.CustomFields)
		}

		// A patch that changes nothing writes no audit entry.
		n := e.count(t, "audit_log")
		must(e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Name: ptr("Northwind Traders Group")})).ok(t)
		if e.count(t, "audit_log") != n {
			t.Error("a no-op update wrote an audit entry")
		}

		// Number: may change, may not be emptied, may not collide.
		other := e.customer(t, e.pa, "Other")
		before := e.snapshot(t)
		for _, blank := range []string{"", "   "} {
			_, err := e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Number: ptr(blank)})
			wantCode(t, err, fail.Invalid)
			wantFields(t, err, "number")
		}
		_, err = e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Number: ptr("bad number!")})
		wantFields(t, err, "number")
		_, err = e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Number: ptr(other.Number)})
		wantCode(t, err, fail.Conflict)
		_, err = e.svc.UpdateCustomer(e.ctx, e.pa, orig.ID, service.CustomerInput{Name: ptr(""), PaymentTermsDays: ptr(999)})
		wantFields(t, err, "name", "payment_terms_days")
		_, err = e.svc.UpdateCustomer(e.ctx, e.pa, "cus_missing", service.CustomerInput{Name: ptr("x")})
		wantCode(t, err, fail.NotFound)
		e.unchanged(t, before)
		if c := must(e.svc.GetCustomer(e.ctx, e.pa, orig.ID)).ok(t); c.Number != orig.Number || c.Name != "Northwind Traders Group" {
			t.Errorf("a refused update changed the customer: %+v", c)
		}
		// Another tenant's customer is not found, and unchanged.
		_, err = e.svc.UpdateCustomer(e.ctx, e.pb, orig.ID, service.CustomerInput{Name: ptr("Hijacked")})
		wantCode(t, err, fail.NotFound)
		_, err = e.svc.GetCustomer(e.ctx, e.pb, orig.ID)
		wantCode(t, err, fail.NotFound)
	})
}

// sameCustomer compares the stored fields of two customers, ignoring
// timestamps.
func sameCustomer(t *testing.T, got, want billing.Customer) {
	t.Helper()
	norm := func(c billing.Customer) billing.Customer {
		c.CreatedAt, c.UpdatedAt, c.ArchivedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), nil
		c.UpdatedAt = c.CreatedAt
		if len(c.Contacts) == 0 {
			c.Contacts = nil
		}
		if len(c.CustomFields) == 0 {
			c.CustomFields = nil
		}
		return c
	}
	g, w := norm(got), norm(want)
	if !g.CreditLimit.Equal(w.CreditLimit) {
		t.Errorf("credit limit %s, want %s", g.CreditLimit, w.CreditLimit)
	}
	g.CreditLimit, w.CreditLimit = money.Amount{}, money.Amount{}
	if g.ID != w.ID || g.Number != w.Number || g.Name != w.Name || g.Billing != w.Billing || !slices.Equal(g.Contacts, w.Contacts) ||
		!maps.Equal(g.CustomFields, w.CustomFields) || g.PaymentTermsDays != w.PaymentTermsDays || g.SalesTaxGroup != w.SalesTaxGroup ||
		g.SAPID != w.SAPID || g.BillingContractNumber != w.BillingContractNumber || g.SalesAccountExecutive != w.SalesAccountExecutive ||
		g.ParentID != w.ParentID || g.InvoiceAccountID != w.InvoiceAccountID || g.HasBillingInfo != w.HasBillingInfo {
		t.Errorf("customer\n got %+v\nwant %+v", g, w)
	}
}

func diffKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit changes %s: %v", raw, err)
	}
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}

// wantDiff checks the audit changes are exactly these fields, from → to.
func wantDiff(t *testing.T, raw json.RawMessage, want map[string][2]any) {
	t.Helper()
	var m map[string]struct {
		From any `json:"from"`
		To   any `json:"to"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit changes %s: %v", raw, err)
	}
	if len(m) != len(want) {
		t.Errorf("audit diff names %v, want only %v (changes: %s)", diffKeys(t, raw), slices.Collect(maps.Keys(want)), raw)
	}
	for k, fromTo := range want {
		got, ok := m[k]
		if !ok {
			t.Errorf("audit diff lacks %s: %s", k, raw)
			continue
		}
		if fmt.Sprint(got.From) != fmt.Sprint(fromTo[0]) || fmt.Sprint(got.To) != fmt.Sprint(fromTo[1]) {
			t.Errorf("audit diff %s: %v → %v, want %v → %v", k, got.From, got.To, fromTo[0], fromTo[1])
		}
	}
}

func TestCustomerLinks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		reseller := e.customer(t, e.pa, "Reseller")
		sub := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("Sub"), ParentID: ptr(reseller.ID), InvoiceAccountID: ptr(reseller.ID)})).ok(t)
		if sub.ParentID != reseller.ID || sub.InvoiceAccountID != reseller.ID || sub.InvoiceAccount() != reseller.ID {
			t.Fatalf("links not kept: %+v", sub)
		}
		subsub := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("SubSub"), ParentID: ptr(sub.ID)})).ok(t)
		byParent := must(e.svc.ListCustomers(e.ctx, e.pa, service.CustomerFilter{ParentID: reseller.ID})).ok(t)
		if !slices.Equal(names(byParent.Items), []string{"Sub"}) {
			t.Errorf("parent filter lists %v", names(byParent.Items))
		}
		archived := e.customer(t, e.pa, "Archived")
		must(e.svc.SetCustomerArchived(e.ctx, e.pa, archived.ID, true)).ok(t)
		otherTenant := e.customer(t, e.pb, "Other tenant")

		tests := []struct {
			name   string
			target string
			in     service.CustomerInput
			field  string
		}{
			{"invoice account missing", sub.ID, service.CustomerInput{InvoiceAccountID: ptr("cus_missing")}, "invoice_account_id"},
			{"invoice account other tenant", sub.ID, service.CustomerInput{InvoiceAccountID: ptr(otherTenant.ID)}, "invoice_account_id"},
			{"invoice account archived", sub.ID, service.CustomerInput{InvoiceAccountID: ptr(archived.ID)}, "invoice_account_id"},
			{"parent missing", sub.ID, service.CustomerInput{ParentID: ptr("cus_missing")}, "parent_id"},
			{"parent other tenant", sub.ID, service.CustomerInput{ParentID: ptr(otherTenant.ID)}, "parent_id"},
			{"parent archived", sub.ID, service.CustomerInput{ParentID: ptr(archived.ID)}, "parent_id"},
			{"own parent", reseller.ID, service.CustomerInput{ParentID: ptr(reseller.ID)}, "parent_id"},
			{"cycle of two", reseller.ID, service.CustomerInput{ParentID: ptr(sub.ID)}, "parent_id"},
			{"cycle of three", reseller.ID, service.CustomerInput{ParentID: ptr(subsub.ID)}, "parent_id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.snapshot(t)
				orig := must(e.svc.GetCustomer(e.ctx, e.pa, tt.target)).ok(t)
				_, err := e.svc.UpdateCustomer(e.ctx, e.pa, tt.target, tt.in)
				wantCode(t, err, fail.Invalid)
				wantFields(t, err, tt.field)
				e.unchanged(t, before)
				sameCustomer(t, must(e.svc.GetCustomer(e.ctx, e.pa, tt.target)).ok(t), orig)
			})
		}
		// Creating with an archived parent or invoice account is refused too.
		for _, in := range []service.CustomerInput{
			{Name: ptr("New"), ParentID: ptr(archived.ID)},
			{Name: ptr("New"), InvoiceAccountID: ptr(archived.ID)},
		} {
			before := e.snapshot(t)
			_, err := e.svc.CreateCustomer(e.ctx, e.pa, in)
			wantCode(t, err, fail.Invalid)
			e.unchanged(t, before)
		}

		// Unlinking works, and a link archived later does not block editing
		// the rest of the customer.
		must(e.svc.SetCustomerArchived(e.ctx, e.pa, reseller.ID, true)).ok(t)
		got, err := e.svc.UpdateCustomer(e.ctx, e.pa, sub.ID, service.CustomerInput{Billing: &service.BillingInput{Email: ptr("ap@sub.example")}})
		if err != nil {
			t.Fatalf("editing a customer whose reseller was archived: %v", err)
		}
		if got.ParentID != reseller.ID || got.Billing.Email != "ap@sub.example" {
			t.Errorf("after edit: %+v", got)
		}
		got = must(e.svc.UpdateCustomer(e.ctx, e.pa, sub.ID, service.CustomerInput{ParentID: ptr(""), InvoiceAccountID: ptr("")})).ok(t)
		if got.ParentID != "" || got.InvoiceAccountID != "" || got.InvoiceAccount() != sub.ID {
			t.Errorf("unlinked: parent %q, invoice account %q", got.ParentID, got.InvoiceAccountID)
		}
	})
}

func TestArchiveRestore(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer(t, e.pa, "Contoso")
		keep := e.customer(t, e.pa, "Kept")

		got := must(e.svc.SetCustomerArchived(e.ctx, e.pa, c.ID, true)).ok(t)
		if got.ArchivedAt == nil {
			t.Fatal("archived customer has no archived_at")
		}
		if r := must(e.svc.GetCustomer(e.ctx, e.pa, c.ID)).ok(t); r.ArchivedAt == nil || !r.ArchivedAt.Equal(*got.ArchivedAt) {
			t.Errorf("read back archived_at %v, want %v", r.ArchivedAt, got.ArchivedAt)
		}
		lists := map[string][]string{
			service.ArchivedExclude: {"Kept"},
			"":                      {"Kept"},
			service.ArchivedOnly:    {"Contoso"},
			service.ArchivedInclude: {"Contoso", "Kept"},
		}
		for archived, want := range lists {
			page := must(e.svc.ListCustomers(e.ctx, e.pa, service.CustomerFilter{Archived: archived, Sort: service.SortName})).ok(t)
			if !slices.Equal(names(page.Items), want) {
				t.Errorf("archived=%q lists %v, want %v", archived, names(page.Items), want)
			}
		}

		before := e.snapshot(t)
		_, err := e.svc.SetCustomerArchived(e.ctx, e.pa, c.ID, true)
		wantCode(t, err, fail.Conflict)
		_, err = e.svc.SetCustomerArchived(e.ctx, e.pa, keep.ID, false)
		wantCode(t, err, fail.Conflict)
		_, err = e.svc.SetCustomerArchived(e.ctx, e.pa, "cus_missing", true)
		wantCode(t, err, fail.NotFound)
		_, err = e.svc.SetCustomerArchived(e.ctx, e.pb, c.ID, false)
		wantCode(t, err, fail.NotFound)
		_, err = e.svc.SetCustomerArchived(e.ctx, e.staff(access.Finance), keep.ID, true)
		wantCode(t, err, fail.Forbidden)
		e.unchanged(t, before)

		got = must(e.svc.SetCustomerArchived(e.ctx, e.pa, c.ID, false)).ok(t)
		if got.ArchivedAt != nil {
			t.Error("restored customer still archived")
		}
		var actions []string
		for _, a := range e.audit(t, e.pa, service.AuditFilter{TargetID: c.ID}) {
			actions = append(actions, a.Action)
		}
		if want := []string{"customer.restored", "customer.archived", "customer.created"}; !slices.Equal(actions, want) {
			t.Errorf("audit actions %v, want %v", actions, want)
		}
	})
}

func TestCustomerRolePermissions(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer(t, e.pa, "Contoso")
		billingOnly := service.CustomerInput{Billing: &service.BillingInput{Email: ptr("ap@contoso.example")}}
		nameChange := service.CustomerInput{Name: ptr("Renamed")}

		type op struct {
			name string
			run  func(p access.Principal) error
		}
		ops := []op{
			{"read", func(p access.Principal) error { _, err := e.svc.GetCustomer(e.ctx, p, c.ID); return err }},
			{"list", func(p access.Principal) error {
				_, err := e.svc.ListCustomers(e.ctx, p, service.CustomerFilter{})
				return err
			}},
			{"create", func(p access.Principal) error {
				_, err := e.svc.CreateCustomer(e.ctx, p, service.CustomerInput{Name: ptr("New " + string(p.Role))})
				return err
			}},
			{"edit billing", func(p access.Principal) error {
				_, err := e.svc.UpdateCustomer(e.ctx, p, c.ID, billingOnly)
				return err
			}},
			{"edit name", func(p access.Principal) error { _, err := e.svc.UpdateCustomer(e.ctx, p, c.ID, nameChange); return err }},
			{"archive", func(p access.Principal) error {
				_, err := e.svc.SetCustomerArchived(e.ctx, p, c.ID, true)
				if err == nil {
					_, err = e.svc.SetCustomerArchived(e.ctx, p, c.ID, false)
				}
				return err
			}},
		}
		const ok, forbidden = fail.Code(""), fail.Forbidden
		want := map[access.Role][]fail.Code{ // per op, in order
			access.Administrator:  {ok, ok, ok, ok, ok, ok},
			access.Director:       {ok, ok, ok, ok, ok, ok},
			access.FinanceManager: {ok, ok, ok, ok, ok, ok},
			access.Finance:        {ok, ok, forbidden, ok, forbidden, forbidden},
			access.GroupManager:   {ok, ok, ok, ok, ok, ok},
			access.Sales:          {ok, ok, ok, ok, ok, ok},
			access.Engineer:       {forbidden, forbidden, forbidden, forbidden, forbidden, forbidden},
		}
		for role, codes := range want {
			for i, o := range ops {
				before := e.snapshot(t)
				err := o.run(e.staff(role))
				if got := fail.CodeOf(err); got != codes[i] {
					t.Errorf("%s %s: %v (code %q), want %q", role, o.name, err, got, codes[i])
				}
				if codes[i] != ok {
					e.unchanged(t, before)
				}
			}
		}
	})
}

func TestCustomerPortalPrincipal(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		own := e.customer(t, e.pa, "Padaria São João")
		other := e.customer(t, e.pa, "Ferretería Núñez")
		u := e.user(t, e.a.ID, "joao@padaria.example", access.Customer, own.ID)
		p := u.Principal()

		if c, err := e.svc.GetCustomer(e.ctx, p, own.ID); err != nil || c.ID != own.ID {
			t.Fatalf("customer reads its own account: %v", err)
		}
		page := must(e.svc.ListCustomers(e.ctx, p, service.CustomerFilter{})).ok(t)
		if !slices.Equal(names(page.Items), []string{"Padaria São João"}) {
			t.Errorf("customer lists %v", names(page.Items))
		}
		// Even asking for another customer by filter lists only its own.
		page = must(e.svc.ListCustomers(e.ctx, p, service.CustomerFilter{CustomerID: other.ID, Query: "ferreteria"})).ok(t)
		if len(page.Items) != 0 {
			t.Errorf("customer filter override lists %v", names(page.Items))
		}
		got := must(e.svc.UpdateCustomer(e.ctx, p, own.ID, service.CustomerInput{Billing: &service.BillingInput{
			LegalName: ptr("Padaria São João Ltda."), Email: ptr("financeiro@padaria.example"), Currency: ptr("BRL"),
			Address: &billing.Address{Line1: "Rua Augusta 1500", City: "São Paulo", Country: "BR"}}})).ok(t)
		if !got.HasBillingInfo || got.Billing.Email != "financeiro@padaria.example" {
			t.Errorf("own billing update: %+v", got.Billing)
		}
		entry := e.audit(t, e.pa, service.AuditFilter{TargetID: own.ID, Action: "customer.updated"})[0]
		if entry.ActorID != u.ID || entry.ActorType != "user" {
			t.Errorf("audit actor %s %s, want the portal user %s", entry.ActorType, entry.ActorID, u.ID)
		}

		before := e.snapshot(t)
		_, err := e.svc.GetCustomer(e.ctx, p, other.ID)
		wantCode(t, err, fail.NotFound)
		_, err = e.svc.UpdateCustomer(e.ctx, p, other.ID, service.CustomerInput{Billing: &service.BillingInput{Email: ptr("x@y.es")}})
		wantCode(t, err, fail.NotFound)
		_, err = e.svc.UpdateCustomer(e.ctx, p, own.ID, service.CustomerInput{Billing: &service.BillingInput{Currency: ptr("USD")}})
		wantFields(t, err, "billing.currency")
		_, err = e.svc.UpdateCustomer(e.ctx, p, own.ID, service.CustomerInput{Name: ptr("Renamed")})
		wantCode(t, err, fail.Forbidden)
		_, err = e.svc.UpdateCustomer(e.ctx, p, own.ID, service.CustomerInput{CreditLimit: ptr("1000000")})
		wantCode(t, err, fail.Forbidden)
		_, err = e.svc.CreateCustomer(e.ctx, p, service.CustomerInput{Name: ptr("Mine")})
		wantCode(t, err, fail.Forbidden)
		_, err = e.svc.SetCustomerArchived(e.ctx, p, own.ID, true)
		wantCode(t, err, fail.Forbidden)
		_, err = e.svc.ListAudit(e.ctx, p, service.AuditFilter{})
		wantCode(t, err, fail.Forbidden)
		e.unchanged(t, before)
		if c := must(e.svc.GetCustomer(e.ctx, e.pa, other.ID)).ok(t); c.Billing.Email != "" {
			t.Error("the portal user changed another customer")
		}

		// A customer principal with no customer sees nothing.
		orphan := access.Principal{TenantID: e.a.ID, UserID: "usr_x", Role: access.Customer}
		_, err = e.svc.GetCustomer(e.ctx, orphan, own.ID)
		wantCode(t, err, fail.NotFound)
		if page := must(e.svc.ListCustomers(e.ctx, orphan, service.CustomerFilter{})).ok(t); len(page.Items) != 0 {
			t.Errorf("a customer principal without a customer lists %v", names(page.Items))
		}
		_, err = e.svc.UpdateCustomer(e.ctx, orphan, own.ID, service.CustomerInput{Billing: &service.BillingInput{Email: ptr("x@y.es")}})
		wantCode(t, err, fail.NotFound)
	})
}

func TestListCustomers(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		mk := func(name, cur, country string) billing.Customer {
			in := service.CustomerInput{Name: ptr(name)}
			if cur != "" {
				in.Billing = &service.BillingInput{LegalName: ptr(name + " S.A."), Email: ptr("ap@example.com"), Currency: ptr(cur),
					Address: &billing.Address{Line1: "Calle 1", City: "Sevilla", Country: country}}
			}
			return must(e.svc.CreateCustomer(e.ctx, e.pa, in)).ok(t)
		}
		mk("Ferretería Núñez", "EUR", "ES")
		mk("Padaria São João", "BRL", "BR")
		mk("Northwind Traders", "GBP", "GB")
		mk("Estudio Sin Datos", "", "")
		mk("100% Hosting_Co", "USD", "US")
		e.customer(t, e.pb, "Ferretería Núñez B") // other tenant

		search := map[string][]string{
			"nunez":          {"Ferretería Núñez"},
			"NÚÑEZ":          {"Ferretería Núñez"},
			"sao joao":       {"Padaria São João"},
			"São":            {"Padaria São João"},
			"s.a.":           {"100% Hosting_Co", "Ferretería Núñez", "Northwind Traders", "Padaria São João"},
			"%":              {"100% Hosting_Co"},
			"_":              {"100% Hosting_Co"},
			"C-000002":       {"Padaria São João"},
			"nothing-at-all": nil,
		}
		for q, want := range search {
			page := must(e.svc.ListCustomers(e.ctx, e.pa, service.CustomerFilter{Query: q, Sort: service.SortName})).ok(t)
			if !slices.Equal(names(page.Items), want) {
				t.Errorf("search %q: %v, want %v", q, names(page.Items), want)
			}
		}
		filters := []struct {
			f    service.CustomerFilter
			want []string
		}{
			{service.CustomerFilter{Currency: "EUR"}, []string{"Ferretería Núñez"}},
			{service.CustomerFilter{Currency: "eur"}, []string{"Ferretería Núñez"}},
			{service.CustomerFilter{Country: "br"}, []string{"Padaria São João"}},
			{service.CustomerFilter{HasBillingInfo: ptr(false)}, []string{"Estudio Sin Datos"}},
			{service.CustomerFilter{HasBillingInfo: ptr(true), Sort: service.SortName, Desc: true},
				[]string{"Padaria São João", "Northwind Traders", "Ferretería Núñez", "100% Hosting_Co"}},
		}
		for _, tt := range filters {
			page := must(e.svc.ListCustomers(e.ctx, e.pa, tt.f)).ok(t)
			if !slices.Equal(names(page.Items), tt.want) {
				t.Errorf("filter %+v: %v, want %v", tt.f, names(page.Items), tt.want)
			}
		}
		for _, f := range []service.CustomerFilter{{Sort: "balance"}, {Archived: "maybe"}, {Currency: "EURO"}, {Page: service.Page{Cursor: "garbage!"}}} {
			_, err := e.svc.ListCustomers(e.ctx, e.pa, f)
			wantCode(t, err, fail.Invalid)
		}

		// Pagination walks every customer once, in order, for every sort.
		for _, sort := range service.CustomerSorts {
			for _, desc := range []bool{false, true} {
				var walked []string
				cursor := ""
				for range 10 {
					page := must(e.svc.ListCustomers(e.ctx, e.pa, service.CustomerFilter{Sort: sort, Desc: desc, Page: service.Page{Limit: 2, Cursor: cursor}})).ok(t)
					if len(page.Items) > 2 {
						t.Fatalf("page of %d items with limit 2", len(page.Items))
					}
					walked = append(walked, names(page.Items)...)
					if cursor = page.Next; cursor == "" {
						break
					}
				}
				all := must(e.svc.ListCustomers(e.ctx, e.pa, service.CustomerFilter{Sort: sort, Desc: desc})).ok(t)
				if len(all.Items) != 5 || !slices.Equal(walked, names(all.Items)) || all.Next != "" {
					t.Errorf("sort %s desc %v: pages %v, one page %v", sort, desc, walked, names(all.Items))
				}
			}
		}
	})
}

// TestAutoNumberSkipsHandChosenNumbers: a number typed by hand from the
// automatic series is skipped, not a conflict for every later create.
func TestAutoNumberSkipsHandChosenNumbers(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Numbers", Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
		p := access.System(ten.ID, "test")
		if _, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("Manual"), Number: ptr("C-000001")}); err != nil {
			t.Fatal(err)
		}
		c, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("Automatic")})
		if err != nil {
			t.Fatalf("auto-numbered create after a hand-chosen C-000001: %v", err)
		}
		if c.Number != "C-000002" {
			t.Fatalf("got %s, want C-000002", c.Number)
		}
	})
}

// TestCreditLimitDigitsInTheTenantsCurrency: a customer without a billing
// currency has its credit limit in the tenant's, and an update is held to
// that currency's digits as a create is; a limit in a named currency to
// that one's.
func TestCreditLimitDigitsInTheTenantsCurrency(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer(t, e.pa, "No billing currency")
		before := e.snapshot(t)
		_, err := e.svc.UpdateCustomer(e.ctx, e.pa, c.ID, service.CustomerInput{CreditLimit: ptr("250.005")})
		wantCode(t, err, fail.Invalid)
		wantFields(t, err, "credit_limit")
		e.unchanged(t, before)
		if got := must(e.svc.UpdateCustomer(e.ctx, e.pa, c.ID, service.CustomerInput{CreditLimit: ptr("250.50")})).ok(t); !got.CreditLimit.Equal(money.In(dec("250.5"), "EUR")) {
			t.Errorf("credit limit %s, want 250.50", got.CreditLimit)
		}
		// Named in BHD (3 decimals), the same limit is fine.
		bhd := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("Gulf"), CreditLimit: ptr("250.005"),
			Billing: &service.BillingInput{Currency: ptr("BHD")}})).ok(t)
		if !bhd.CreditLimit.Equal(money.In(dec("250.005"), "BHD")) {
			t.Errorf("BHD credit limit %s", bhd.CreditLimit)
		}
	})
}

// TestCustomerMethodOfPayment: a customer keeps its method of payment on
// both engines, a new invoice for it takes it when the invoice names none,
// and an invoice that names one keeps its own.
func TestCustomerMethodOfPayment(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := must(e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("Contoso"), MethodOfPayment: ptr("  Transferencia  ")})).ok(t)
		if got := must(e.svc.GetCustomer(e.ctx, e.pa, c.ID)).ok(t).MethodOfPayment; got != "Transferencia" {
			t.Fatalf("stored method of payment %q, want %q", got, "Transferencia")
		}
		lines := []service.LineInput{{Description: "Soporte", Quantity: ptr("1"), UnitPrice: ptr("100.00")}}
		inv := must(e.svc.CreateInvoice(e.ctx, e.pa, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines})).ok(t)
		if inv.MethodOfPayment != "Transferencia" {
			t.Errorf("invoice without a method of payment has %q, want the customer's", inv.MethodOfPayment)
		}
		own := must(e.svc.CreateInvoice(e.ctx, e.pa, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, MethodOfPayment: ptr("Card")})).ok(t)
		if own.MethodOfPayment != "Card" {
			t.Errorf("invoice naming its method of payment has %q, want Card", own.MethodOfPayment)
		}
		got := must(e.svc.UpdateCustomer(e.ctx, e.pa, c.ID, service.CustomerInput{MethodOfPayment: ptr("Domiciliación")})).ok(t)
		if got.MethodOfPayment != "Domiciliación" || must(e.svc.GetCustomer(e.ctx, e.pa, c.ID)).ok(t).MethodOfPayment != "Domiciliación" {
			t.Errorf("updated method of payment %q", got.MethodOfPayment)
		}
		_, err := e.svc.UpdateCustomer(e.ctx, e.pa, c.ID, service.CustomerInput{MethodOfPayment: ptr(strings.Repeat("x", 101))})
		wantFields(t, err, "method_of_payment")
	})
}

// TestCustomerErrorsTogether: an unreadable credit limit is named together
// with every other field at fault, so a form shows all its mistakes at once.
func TestCustomerErrorsTogether(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		before := e.snapshot(t)
		_, err := e.svc.CreateCustomer(e.ctx, e.pa, service.CustomerInput{Name: ptr("X"), CreditLimit: ptr("mucho"),
			PaymentTermsDays: ptr(-1), Billing: &service.BillingInput{Email: ptr("no-es-correo")}})
		wantCode(t, err, fail.Invalid)
		wantFields(t, err, "credit_limit", "billing.email", "payment_terms_days")
		e.unchanged(t, before)
		c := e.customer(t, e.pa, "Y")
		_, err = e.svc.UpdateCustomer(e.ctx, e.pa, c.ID, service.CustomerInput{CreditLimit: ptr("1,5"), Name: ptr("")})
		wantFields(t, err, "credit_limit", "name")
	})
}
