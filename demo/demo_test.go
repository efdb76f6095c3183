package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func customers(t *testing.T, svc *service.Service, tenantID string) []billing.Customer {
	t.Helper()
	page, err := svc.ListCustomers(context.Background(), access.System(tenantID, "test"),
		service.CustomerFilter{Archived: service.ArchivedInclude, Page: service.Page{Limit: service.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestEnsure(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, service.WithPaymentProvider(testcard.New()))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatalf("Ensure on an empty database: %v", err)
		}

		tenants, err := svc.ListTenants(ctx)
		if err != nil || len(tenants) != 1 || tenants[0].ID != login.TenantID {
			t.Fatalf("tenants %+v, %v; login tenant %s", tenants, err, login.TenantID)
		}
		sys := access.System(login.TenantID, "test")

		// Email outbox and webhooks: messages readable without SMTP, in the
		// customers' languages; one endpoint, disabled (no outbound traffic).
		// (The demo's payments and dunning add receipts and reminders: these
		// are the two published invoices.)
		outbox, err := svc.ListOutbox(ctx, sys, service.OutboxFilter{Kind: "invoice.published", Page: service.Page{Limit: 50}})
		if err != nil || len(outbox.Items) != 2 {
			t.Fatalf("outbox %+v, %v: want two invoice messages", outbox.Items, err)
		}
		subjects := map[string]bool{}
		for _, n := range outbox.Items {
			m, err := svc.GetOutboxMessage(ctx, sys, n.ID)
			if err != nil || n.Status != service.NotificationQueued {
				t.Fatalf("outbox message %+v: %v", n, err)
			}
			subjects[strings.Fields(m.Rendered.Subject)[0]] = true
		}
		if !subjects["Factura"] || !subjects["Fatura"] {
			t.Errorf("outbox subjects %v: want one in Spanish and one in Portuguese", subjects)
		}
		hooks, err := svc.ListWebhookEndpoints(ctx, sys)
		if err != nil || len(hooks) != 1 || hooks[0].Enabled {
			t.Errorf("webhook endpoints %+v, %v: want one, disabled", hooks, err)
		}

		cs := customers(t, svc, login.TenantID)
		if len(cs) != 8 {
			t.Fatalf("%d demo customers, want 8", len(cs))
		}
		var without []string
		byNumber := map[string]billing.Customer{}
		for _, c := range cs {
			byNumber[c.Number] = c
			if !c.HasBillingInfo {
				without = append(without, c.Name)
			}
			if c.Billing.Complete() != c.HasBillingInfo {
				t.Errorf("%s: has_billing_info %v disagrees with its billing information", c.Name, c.HasBillingInfo)
			}
		}
		if len(without) != 1 {
			t.Errorf("customers without billing information: %v, want exactly one", without)
		}
		langs := map[string]bool{}
		for _, c := range cs {
			langs[c.Billing.Language] = true
		}
		for _, l := range billing.Languages {
			if !langs[l] {
				t.Errorf("no demo customer writes in %s", l)
			}
		}
		for _, name := range []string{"Ferretería Núñez", "Padaria São João", "Northwind Traders"} {
			if !slices.ContainsFunc(cs, func(c billing.Customer) bool { return c.Name == name }) {
				t.Errorf("no demo customer %q", name)
			}
		}
		// The reseller structure: a sub-account billed to its reseller.
		if sub, res := byNumber["C-1006"], byNumber["C-1005"]; sub.ParentID != res.ID || sub.InvoiceAccountID != res.ID || res.ID == "" {
			t.Errorf("C-1006 parent %q invoice account %q, want C-1005 (%s)", sub.ParentID, sub.InvoiceAccountID, res.ID)
		}

		users, err := svc.ListUsers(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		roles := map[access.Role]int{}
		for _, u := range users {
			roles[u.Role]++
			if u.Role == access.Customer {
				if _, ok := byNumber[numberOf(cs, u.CustomerID)]; !ok {
					t.Errorf("portal user %s belongs to no demo customer", u.Email)
				}
			}
		}
		for _, r := range access.Roles {
			if roles[r] == 0 {
				t.Errorf("no demo user has the %s role", r)
			}
		}

		// The printed login works, as admin; so does the key.
		u, err := svc.Login(ctx, login.Email, login.Password, "", "127.0.0.1")
		if err != nil || u.Role != access.Administrator || login.Email != demo.AdminEmail {
			t.Fatalf("demo login %s: %+v, %v", login.Email, u, err)
		}
		p, err := svc.AuthenticateAPIKey(ctx, login.APIKey)
		if err != nil || p.TenantID != login.TenantID || p.Role != access.Administrator {
			t.Fatalf("demo key: %+v, %v", p, err)
		}
		// A portal user sees only its own account.
		portal, err := svc.Login(ctx, "portal@ferreteria-nunez.example", login.Password, "", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		page, err := svc.ListCustomers(ctx, portal.Principal(), service.CustomerFilter{})
		if err != nil || len(page.Items) != 1 || page.Items[0].Name != "Ferretería Núñez" {
			t.Errorf("portal user lists %v, %v", page.Items, err)
		}

		// Sales items in every status, from every source, and last month's
		// completed billing run.
		items, err := svc.ListSalesItems(ctx, sys, service.SalesItemFilter{Page: service.Page{Limit: 500}})
		if err != nil {
			t.Fatal(err)
		}
		statuses, sources := map[billing.ItemStatus]int{}, map[billing.Source]int{}
		for _, si := range items.Items {
			statuses[si.Status]++
			sources[si.Source]++
		}
		for _, st := range billing.ItemStatuses {
			if statuses[st] == 0 {
				t.Errorf("no demo sales item is %s: %v", st, statuses)
			}
		}
		for _, src := range []billing.Source{billing.SourceContract, billing.SourceTicket, billing.SourceUsage, billing.SourceManual} {
			if sources[src] == 0 {
				t.Errorf("no demo sales item from %s: %v", src, sources)
			}
		}
		runs, err := svc.ListBillingRuns(ctx, sys)
		if err != nil || len(runs) != 1 || runs[0].Status != "completed" || runs[0].InvoicesCreated == 0 || runs[0].ItemsSkipped != 1 {
			t.Errorf("demo billing runs: %+v, %v; want one completed run that skipped the draft item", runs, err)
		}
		// The exchange-rate table holds USD and GBP rates, and the run took
		// the USD customer's rate from it: no group was skipped.
		rates, err := svc.ListExchangeRates(ctx, sys, service.ExchangeRateFilter{})
		byCur := map[string]int{}
		for _, r := range rates {
			byCur[r.Currency]++
		}
		if err != nil || byCur["USD"] < 2 || byCur["GBP"] < 2 {
			t.Errorf("demo exchange rates: %+v, %v; want USD and GBP rates", rates, err)
		}
		if len(runs) == 1 && len(runs[0].GroupsSkipped) != 0 {
			t.Errorf("the demo run skipped %+v", runs[0].GroupsSkipped)
		}
		if len(runs) == 1 {
			usd, err := svc.ListInvoices(ctx, sys, service.InvoiceFilter{CustomerID: byNumber["C-1007"].ID, Page: service.Page{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			billed := false
			for _, inv := range usd.Items {
				billed = billed || (inv.Currency == "USD" && inv.PeriodEnd == runs[0].PeriodEnd)
			}
			if !billed {
				t.Errorf("the demo run billed no USD invoice of C-1007")
			}
		}

		// Payments: cards on file, a card payment, partial and full
		// transfers, a refund, dunning reminders; the ledger still balances.
		cards, err := svc.ListPaymentMethods(ctx, sys, byNumber["C-1002"].ID)
		if err != nil || len(cards) != 2 || !cards[0].Primary || cards[0].Last4 != "4242" {
			t.Errorf("C-1002's cards: %+v, %v", cards, err)
		}
		pays, err := svc.ListPayments(ctx, sys, service.PaymentFilter{})
		if err != nil || len(pays) != 4 {
			t.Fatalf("demo payments: %d, %v", len(pays), err)
		}
		methods, refunded := map[string]int{}, 0
		for _, p := range pays {
			methods[p.Method]++
			if p.Refunded.Sign() > 0 {
				refunded++
			}
		}
		if methods["card"] != 1 || methods["bank_transfer"] != 2 || methods["cash"] != 1 || refunded != 1 {
			t.Errorf("demo payments by method %v, %d refunded", methods, refunded)
		}
		closed, err := svc.ListInvoices(ctx, sys, service.InvoiceFilter{Statuses: []billing.Status{billing.Closed}, Page: service.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		settled := 0
		for _, inv := range closed.Items {
			if inv.Paid.Sign() > 0 && inv.Balance.IsZero() {
				settled++
			}
		}
		if settled < 3 {
			t.Errorf("%d invoices closed by payments, want at least 3", settled)
		}
		tb, err := svc.TrialBalance(ctx, sys, calendar.Date{})
		if err != nil {
			t.Fatal(err)
		}
		var net decimal.Decimal
		for _, b := range tb {
			net = net.Add(b.Net.Decimal())
		}
		if !net.IsZero() {
			t.Errorf("demo trial balance nets to %s", net)
		}

		// Again: nothing duplicated, fresh secrets, the old password gone.
		again, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatalf("second Ensure: %v", err)
		}
		if again.TenantID != login.TenantID || again.Password == login.Password || again.APIKey == login.APIKey {
			t.Errorf("second Ensure: %+v after %+v", again, login)
		}
		if n := len(customers(t, svc, login.TenantID)); n != 8 {
			t.Errorf("%d customers after a second Ensure, want 8", n)
		}
		if users2, _ := svc.ListUsers(ctx, sys); len(users2) != len(users) {
			t.Errorf("%d users after a second Ensure, was %d", len(users2), len(users))
		}
		if ts, _ := svc.ListTenants(ctx); len(ts) != 1 {
			t.Errorf("%d tenants after a second Ensure", len(ts))
		}
		if _, err := svc.Login(ctx, demo.AdminEmail, login.Password, "", "127.0.0.1"); fail.CodeOf(err) != fail.Unauthenticated {
			t.Errorf("old password after a second Ensure: %v", err)
		}
		if _, err := svc.Login(ctx, demo.AdminEmail, again.Password, "", "127.0.0.1"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if _, err := svc.AuthenticateAPIKey(ctx, again.APIKey); err != nil {
			t.Errorf("new key: %v", err)
		}
	})
}

func numberOf(cs []billing.Customer, id string) string {
	for _, c := range cs {
		if c.ID == id {
			return c.Number
		}
	}
	return ""
}

// TestEnsureRefusesForeignData: --demo on a database that already holds a
// real tenant must not mix demo data into it.
func TestEnsureRefusesForeignData(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		if _, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Real Business", Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		_, err := demo.Ensure(ctx, svc)
		if fail.CodeOf(err) != fail.Conflict {
			t.Fatalf("Ensure on a database with a real tenant: %v, want conflict", err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d customers written, %v", n, err)
		}
	})
}

// TestEnsureKeepsOperatorUsers: a --demo restart gives the demo's own users
// a new password, but a user an operator added to the demo tenant keeps the
// password they chose.
func TestEnsureKeepsOperatorUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		p := access.System(login.TenantID, "operator")
		const own = "operator-chosen-password"
		if _, err := svc.CreateUser(ctx, p, service.NewUser{Email: "ops@nimbus.example", Name: "Olga Ops",
			Role: string(access.FinanceManager), Password: own}); err != nil {
			t.Fatal(err)
		}
		again, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if again.Password == login.Password {
			t.Fatal("a restart kept the demo password")
		}
		if _, err := svc.Login(ctx, "ops@nimbus.example", own, "", "127.0.0.1"); err != nil {
			t.Errorf("the operator's user lost its password on a --demo restart: %v", err)
		}
		if _, err := svc.Login(ctx, "ops@nimbus.example", again.Password, "", "127.0.0.1"); err == nil {
			t.Error("the operator's user was given the demo password")
		}
		for _, email := range []string{demo.AdminEmail, "engineer@demo.facturo.test"} {
			if _, err := svc.Login(ctx, email, again.Password, "", "127.0.0.1"); err != nil {
				t.Errorf("demo user %s does not take the new password: %v", email, err)
			}
		}
	})
}

// reservedDomain reports whether an address's domain is reserved for
// documentation and testing (RFC 2606, RFC 6761): mail to it never reaches
// a real mailbox.
func reservedDomain(addr string) bool {
	_, domain, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok {
		return false
	}
	for _, tld := range []string{".example", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(domain, tld) {
			return true
		}
	}
	return slices.Contains([]string{"example.com", "example.net", "example.org"}, domain) ||
		strings.HasSuffix(domain, ".example.com") || strings.HasSuffix(domain, ".example.net") || strings.HasSuffix(domain, ".example.org")
}

// TestDemoSendsToReservedDomainsOnly: `serve --demo --smtp-url …` sends
// the demo's outbox at once, so every address of the demo (users,
// customers' billing emails and contacts, and every queued message's
// recipient) is on a reserved domain.
func TestDemoSendsToReservedDomainsOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, service.WithPaymentProvider(testcard.New()))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		sys := access.System(login.TenantID, "test")
		var addrs []string
		users, err := svc.ListUsers(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			addrs = append(addrs, u.Email)
		}
		for _, c := range customers(t, svc, login.TenantID) {
			if c.Billing.Email != "" {
				addrs = append(addrs, c.Billing.Email)
			}
			for _, ct := range c.Contacts {
				addrs = append(addrs, ct.Email)
			}
		}
		outbox, err := svc.ListOutbox(ctx, sys, service.OutboxFilter{Page: service.Page{Limit: service.MaxLimit}})
		if err != nil || len(outbox.Items) == 0 {
			t.Fatalf("outbox: %d messages, %v", len(outbox.Items), err)
		}
		for _, n := range outbox.Items {
			if n.Recipient != "" {
				addrs = append(addrs, n.Recipient)
			}
		}
		for _, a := range addrs {
			if !reservedDomain(a) {
				t.Errorf("the demo uses %s: not a reserved domain (.example, .test)", a)
			}
		}
	})
}
