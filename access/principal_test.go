package access_test

import (
	"fmt"
	"testing"

	"github.com/facturo/facturo/access"
)

// principals returns one principal of every role, with and without a
// customer id, plus the system principal: the population the row
// visibility methods are checked over.
func principals() []access.Principal {
	var out []access.Principal
	for _, r := range access.Roles {
		out = append(out,
			access.Principal{TenantID: "ten_1", Role: r, CustomerID: "cus_a"},
			access.Principal{TenantID: "ten_1", Role: r})
	}
	sys := access.System("ten_1", "jobs")
	out = append(out, sys)
	sys.Role = access.Customer // a system principal is never a portal customer, whatever its role says
	sys.CustomerID = "cus_a"
	return append(out, sys)
}

func name(p access.Principal) string {
	return fmt.Sprintf("%s/customer=%q/system=%v", p.Role, p.CustomerID, p.System)
}

func TestIsCustomerEveryRole(t *testing.T) {
	t.Parallel()
	for _, p := range principals() {
		want := p.Role == access.Customer && !p.System
		if got := p.IsCustomer(); got != want {
			t.Errorf("%s: IsCustomer() = %v, want %v", name(p), got, want)
		}
	}
	if (access.Principal{}).IsCustomer() {
		t.Error("the zero principal is no customer")
	}
}

func TestCustomerScopeEveryRole(t *testing.T) {
	t.Parallel()
	for _, p := range principals() {
		id, scoped := p.CustomerScope()
		switch {
		case p.Role == access.Customer && !p.System:
			if !scoped || id != p.CustomerID {
				t.Errorf("%s: CustomerScope() = %q, %v; want %q, true", name(p), id, scoped, p.CustomerID)
			}
		default:
			if scoped || id != "" {
				t.Errorf("%s: CustomerScope() = %q, %v; want \"\", false (staff and the system see the tenant)", name(p), id, scoped)
			}
		}
	}
}

func TestSeesCustomerEveryRole(t *testing.T) {
	t.Parallel()
	for _, p := range principals() {
		for _, c := range []string{"cus_a", "cus_b", ""} {
			want := true
			if p.Role == access.Customer && !p.System {
				want = p.CustomerID != "" && c == p.CustomerID
			}
			if got := p.SeesCustomer(c); got != want {
				t.Errorf("%s: SeesCustomer(%q) = %v, want %v", name(p), c, got, want)
			}
		}
	}
}

func TestSeesInvoiceEveryRole(t *testing.T) {
	t.Parallel()
	docs := []struct {
		name                  string
		shown                 bool
		customer, billAccount string
		ownerSees             bool // what the customer cus_a sees
	}{
		{"own, shown", true, "cus_a", "cus_a", true},
		{"own as customer, billed to another", true, "cus_a", "cus_b", true},
		{"billed to own, for another", true, "cus_b", "cus_a", true},
		{"own draft", false, "cus_a", "cus_a", false},
		{"another's", true, "cus_b", "cus_b", false},
		{"another's draft", false, "cus_b", "cus_c", false},
		{"no parties", true, "", "", false},
	}
	for _, p := range principals() {
		for _, d := range docs {
			want := true // staff and the system see every document, drafts too
			if p.Role == access.Customer && !p.System {
				want = p.CustomerID != "" && d.ownerSees
			}
			if got := p.SeesInvoice(d.shown, d.customer, d.billAccount); got != want {
				t.Errorf("%s: SeesInvoice(%s) = %v, want %v", name(p), d.name, got, want)
			}
		}
	}
}
