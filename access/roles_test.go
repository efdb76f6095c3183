package access_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
)

// allPermissions reads every Permission constant declared in roles.go, so a
// permission added later is covered by these tests without editing them.
func allPermissions(t *testing.T) []access.Permission {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "roles.go", nil, 0)
	if err != nil {
		t.Fatalf("parse roles.go: %v", err)
	}
	var out []access.Permission
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Permission" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Fatalf("permission %v is not a string literal", vs.Names)
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("unquote %s: %v", lit.Value, err)
				}
				out = append(out, access.Permission(s))
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d permissions in roles.go: the parser missed some", len(out))
	}
	return out
}

func granted(r access.Role, perms []access.Permission) []access.Permission {
	var out []access.Permission
	for _, p := range perms {
		if r.Can(p) {
			out = append(out, p)
		}
	}
	return out
}

func except(perms []access.Permission, not ...access.Permission) []access.Permission {
	return slices.DeleteFunc(slices.Clone(perms), func(p access.Permission) bool { return slices.Contains(not, p) })
}

// TestRolesTableExact pins the roles whose grants DESIGN.md states in full.
func TestRolesTableExact(t *testing.T) {
	all := allPermissions(t)
	tests := []struct {
		role access.Role
		want []access.Permission
	}{
		{access.Administrator, except(all, access.OwnAccount)},
		// Webhook endpoints hold signing secrets and send tenant data out: a setting, so administrators only.
		{access.Director, except(all, access.ManageUsers, access.ManageAPIKeys, access.ManageTenant, access.ManageWebhooks, access.OwnAccount)},
		{access.Engineer, []access.Permission{access.ReadTenant, access.LogTime}},
		{access.Customer, []access.Permission{access.OwnAccount}},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			got := granted(tt.role, all)
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s can %v\nwant %v\nextra %v\nmissing %v", tt.role, got, want,
					except(got, want...), except(want, got...))
			}
		})
	}
}

// TestRolesTableFacts checks the statements of DESIGN.md's roles table and
// seed 002 for the roles it describes in words.
func TestRolesTableFacts(t *testing.T) {
	type fact struct {
		role access.Role
		perm access.Permission
		can  bool
	}
	var facts []fact
	yes := func(r access.Role, ps ...access.Permission) {
		for _, p := range ps {
			facts = append(facts, fact{r, p, true})
		}
	}
	no := func(r access.Role, ps ...access.Permission) {
		for _, p := range ps {
			facts = append(facts, fact{r, p, false})
		}
	}
	// finance_manager: invoices (all actions incl. approve, void, correct),
	// payments, wallets, ledger, billing runs, sales items, customers.
	yes(access.FinanceManager, access.ReadInvoices, access.WriteInvoices, access.ApproveInvoices, access.ManagePayments,
		access.ManageWallets, access.ReadLedger, access.RunBilling, access.ManageSalesItems, access.ReadCustomers,
		access.WriteCustomers, access.WriteBillingInfo)
	no(access.FinanceManager, access.ManageUsers, access.ManageAPIKeys, access.ManageTenant, access.OwnAccount)
	// finance: invoices except void/approve, payments, sales items, customers' billing info.
	yes(access.Finance, access.ReadInvoices, access.WriteInvoices, access.ManagePayments, access.ManageSalesItems,
		access.ReadCustomers, access.WriteBillingInfo)
	no(access.Finance, access.ApproveInvoices, access.WriteCustomers, access.ManageWallets, access.RunBilling,
		access.ManageUsers, access.ManageAPIKeys, access.ManageTenant, access.OwnAccount)
	// group_manager and sales: sales items, customers, read invoices.
	for _, r := range []access.Role{access.GroupManager, access.Sales} {
		yes(r, access.ManageSalesItems, access.ReadCustomers, access.WriteCustomers, access.WriteBillingInfo, access.ReadInvoices)
		no(r, access.WriteInvoices, access.ApproveInvoices, access.ManagePayments, access.ManageWallets, access.RunBilling,
			access.ManageUsers, access.ManageAPIKeys, access.ManageTenant, access.OwnAccount)
	}
	// The exchange-rate table: the ledger roles set it, staff read it.
	yes(access.FinanceManager, access.ManageExchangeRates, access.ReadExchangeRates)
	for _, r := range []access.Role{access.Finance, access.GroupManager, access.Sales} {
		yes(r, access.ReadExchangeRates)
		no(r, access.ManageExchangeRates)
	}
	no(access.Engineer, access.ReadExchangeRates, access.ManageExchangeRates)
	no(access.Customer, access.ReadExchangeRates, access.ManageExchangeRates)
	for _, tt := range facts {
		if got := tt.role.Can(tt.perm); got != tt.can {
			t.Errorf("%s.Can(%s) = %v, want %v", tt.role, tt.perm, got, tt.can)
		}
	}
}

// TestSalesItemsStaffOnly: seed 002 names exactly the staff roles that may
// manage sales items.
func TestSalesItemsStaffOnly(t *testing.T) {
	want := []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance, access.GroupManager, access.Sales}
	for _, r := range access.Roles {
		if got := r.Can(access.ManageSalesItems); got != slices.Contains(want, r) {
			t.Errorf("%s.Can(ManageSalesItems) = %v", r, got)
		}
	}
}

func TestEveryPermissionHasAHolder(t *testing.T) {
	for _, p := range allPermissions(t) {
		holders := 0
		for _, r := range access.Roles {
			if r.Can(p) {
				holders++
			}
		}
		if holders == 0 {
			t.Errorf("no role holds %s", p)
		}
	}
}

func TestUnknownRoleHasNoPermission(t *testing.T) {
	for _, p := range allPermissions(t) {
		for _, r := range []access.Role{"", "root", "Administrator"} {
			if r.Can(p) {
				t.Errorf("role %q can %s", r, p)
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range access.Roles {
		got, err := access.ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, s := range []string{"", "admin", "ADMINISTRATOR", " sales", "superuser"} {
		if _, err := access.ParseRole(s); err == nil {
			t.Errorf("ParseRole(%q) accepted", s)
		}
	}
	if len(access.Roles) != 8 {
		t.Errorf("%d roles, DESIGN.md has 8", len(access.Roles))
	}
}

func TestIsStaff(t *testing.T) {
	for _, r := range access.Roles {
		if got := r.IsStaff(); got != (r != access.Customer) {
			t.Errorf("%s.IsStaff() = %v", r, got)
		}
	}
	if access.Role("").IsStaff() {
		t.Error("the empty role is staff")
	}
}

func TestPrincipalRequire(t *testing.T) {
	tests := []struct {
		name string
		p    access.Principal
		perm access.Permission
		want fail.Code // "" means allowed
	}{
		{"no tenant", access.Principal{Role: access.Administrator, UserID: "usr_1"}, access.ReadCustomers, fail.Unauthenticated},
		{"zero principal", access.Principal{}, access.OwnAccount, fail.Unauthenticated},
		{"admin", access.Principal{TenantID: "ten_1", Role: access.Administrator}, access.ManageUsers, ""},
		{"engineer denied", access.Principal{TenantID: "ten_1", Role: access.Engineer}, access.ReadCustomers, fail.Forbidden},
		{"engineer logs time", access.Principal{TenantID: "ten_1", Role: access.Engineer}, access.LogTime, ""},
		{"customer own account", access.Principal{TenantID: "ten_1", Role: access.Customer, CustomerID: "cus_1"}, access.OwnAccount, ""},
		{"customer staff permission", access.Principal{TenantID: "ten_1", Role: access.Customer, CustomerID: "cus_1"}, access.ReadCustomers, fail.Forbidden},
		{"system", access.System("ten_1", "cli"), access.ManageTenant, ""},
		{"system without tenant", access.System("", "cli"), access.ManageTenant, fail.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Require(tt.perm)
			if got := fail.CodeOf(err); got != tt.want {
				t.Fatalf("Require(%s) = %v (code %q), want code %q", tt.perm, err, got, tt.want)
			}
			if err != nil && err.Error() == "" {
				t.Error("the error has no message")
			}
		})
	}
}

func TestSeesCustomer(t *testing.T) {
	cust := access.Principal{TenantID: "ten_1", Role: access.Customer, CustomerID: "cus_a"}
	if !cust.SeesCustomer("cus_a") || cust.SeesCustomer("cus_b") || cust.SeesCustomer("") {
		t.Error("a customer sees exactly its own account")
	}
	orphan := access.Principal{TenantID: "ten_1", Role: access.Customer}
	if orphan.SeesCustomer("") || orphan.SeesCustomer("cus_a") {
		t.Error("a customer principal without a customer id sees nothing")
	}
	staff := access.Principal{TenantID: "ten_1", Role: access.Sales}
	if !staff.SeesCustomer("cus_a") || !staff.SeesCustomer("cus_b") {
		t.Error("staff see every customer of the tenant")
	}
}

func TestPrincipalActor(t *testing.T) {
	tests := []struct {
		p        access.Principal
		typ, aid string
	}{
		{access.Principal{TenantID: "t", UserID: "usr_1"}, "user", "usr_1"},
		{access.Principal{TenantID: "t", APIKeyID: "key_1"}, "api_key", "key_1"},
		{access.System("t", "cli"), "system", "system"},
		{access.User{ID: "usr_2", TenantID: "t", Role: access.Sales, Name: "Sam"}.Principal(), "user", "usr_2"},
		{access.APIKey{ID: "key_2", TenantID: "t", Role: access.Finance, Name: "erp"}.Principal(), "api_key", "key_2"},
	}
	for _, tt := range tests {
		if got := tt.p.ActorType(); got != tt.typ {
			t.Errorf("%+v ActorType = %q, want %q", tt.p, got, tt.typ)
		}
		if got := tt.p.ActorID(); got != tt.aid {
			t.Errorf("%+v ActorID = %q, want %q", tt.p, got, tt.aid)
		}
	}
	u := access.User{ID: "usr_3", TenantID: "ten_9", Role: access.Customer, CustomerID: "cus_9", Name: "Lucía"}.Principal()
	if u.TenantID != "ten_9" || u.Role != access.Customer || u.CustomerID != "cus_9" || u.Name != "Lucía" || u.System {
		t.Errorf("user principal = %+v", u)
	}
	k := access.APIKey{ID: "key_3", TenantID: "ten_9", Role: access.Customer, CustomerID: "cus_9", Name: "portal"}.Principal()
	if k.TenantID != "ten_9" || k.CustomerID != "cus_9" || k.UserID != "" || k.Name != "API key portal" {
		t.Errorf("API key principal = %+v", k)
	}
}

func TestPrincipalContext(t *testing.T) {
	if p := access.FromContext(context.Background()); p != (access.Principal{}) {
		t.Errorf("empty context gives %+v", p)
	}
	want := access.Principal{TenantID: "ten_1", UserID: "usr_1", Role: access.Finance}
	if got := access.FromContext(access.WithPrincipal(context.Background(), want)); got != want {
		t.Errorf("FromContext = %+v, want %+v", got, want)
	}
}
