package server_test

// Acceptance tests of issue 12's access, network and input policy (section
// 5), on every engine.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// TestWebhookTargetPolicyAPI: a webhook endpoint on a private, loopback,
// link-local, unspecified or multicast address is refused with a 422
// naming url, on creation and on change, and writes nothing.
func TestWebhookTargetPolicyAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		r := accDo(t, e, http.MethodPost, "/api/v1/webhook-endpoints", admin, map[string]any{"url": "https://hooks.example.com/x", "enabled": false})
		if r.Status != http.StatusCreated {
			t.Fatalf("public endpoint: %d %s", r.Status, r.Body)
		}
		id := r.Map(t)["id"].(string)
		for _, u := range []string{"http://127.0.0.1/x", "http://localhost:8080/x", "http://0.0.0.0/x", "http://169.254.169.254/latest/meta-data/",
			"http://10.0.0.7/x", "http://192.168.0.1/x", "http://172.20.1.1/x", "http://[::1]/x", "http://[fd00::1]/x", "http://[fe80::1]/x",
			"http://[::ffff:192.168.0.1]/x", "http://239.1.2.3/x"} {
			before := e.Snapshot()
			for _, c := range []struct{ method, path string }{{http.MethodPost, "/api/v1/webhook-endpoints"}, {http.MethodPatch, "/api/v1/webhook-endpoints/" + id}} {
				p := accWantProblem(t, accDo(t, e, c.method, c.path, admin, map[string]any{"url": u}), http.StatusUnprocessableEntity, "invalid")
				if p.Field != "url" || !strings.Contains(p.Detail, "--webhooks-allow-private") {
					t.Errorf("%s %s: problem %+v, want field url and how to allow private networks", c.method, u, p)
				}
			}
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("%s: refused, yet wrote: %v → %v", u, before, after)
			}
		}
	})
}

// TestBlankBillingRefused: billing information, once complete, cannot be
// blanked by a staff edit or the portal's PATCH /me/billing: 422 naming
// every field that would be missing, nothing written, and the customer's
// pending sales items stay pending.
func TestBlankBillingRefused(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin, portal := e.A.Keys[access.Administrator], e.A.Keys[access.Customer]
		r := accDo(t, e, http.MethodPost, "/api/v1/sales-items", admin,
			map[string]any{"customer_id": e.A.Customer, "description": "Installation", "quantity": "1", "unit_price": "80.00"})
		if r.Status != http.StatusCreated || r.Map(t)["status"] != "pending" {
			t.Fatalf("sales item: %d %s", r.Status, r.Body)
		}
		item := r.Map(t)["id"].(string)
		blank := map[string]any{"line1": "", "city": " ", "country": ""}
		for _, c := range []struct {
			method, path, key string
			body              map[string]any
			fields            []string
		}{
			{http.MethodPatch, "/api/v1/customers/" + e.A.Customer, admin, map[string]any{"billing": map[string]any{"address": blank}},
				[]string{"billing.address.line1", "billing.address.city", "billing.address.country"}},
			{http.MethodPatch, "/api/v1/customers/" + e.A.Customer, e.A.Keys[access.Finance], map[string]any{"billing": map[string]any{"address": map[string]any{"line1": "Calle 9"}}},
				[]string{"billing.address.city", "billing.address.country"}},
			{http.MethodPatch, "/api/v1/customers/" + e.A.Customer, admin, map[string]any{"billing": map[string]any{"legal_name": "", "email": ""}},
				[]string{"billing.legal_name", "billing.email"}},
			{http.MethodPatch, "/api/v1/me/billing", portal, map[string]any{"address": blank}, []string{"billing.address.line1", "billing.address.city", "billing.address.country"}},
			{http.MethodPatch, "/api/v1/me/billing", portal, map[string]any{"legal_name": "  "}, []string{"billing.legal_name"}},
		} {
			before := e.Snapshot()
			p := accWantProblem(t, accDo(t, e, c.method, c.path, c.key, c.body), http.StatusUnprocessableEntity, "invalid")
			var got []string
			for _, fe := range p.Errors {
				got = append(got, fe.Field)
			}
			if len(got) == 0 {
				got = []string{p.Field}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.fields))
			if !slices.Equal(got, want) {
				t.Errorf("%s %s %v: fields %v, want %v (%s)", c.method, c.path, c.body, got, want, p.Detail)
			}
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("%s %s %v: refused, yet wrote: %v → %v", c.method, c.path, c.body, before, after)
			}
			if st := accDo(t, e, http.MethodGet, "/api/v1/sales-items/"+item, admin, nil).Map(t)["status"]; st != "pending" {
				t.Fatalf("after %s %s %v the sales item is %v, want pending", c.method, c.path, c.body, st)
			}
		}
		// A complete change is accepted.
		r = accDo(t, e, http.MethodPatch, "/api/v1/me/billing", portal, map[string]any{"address": map[string]any{"line1": "Rua 1", "city": "Lisboa", "country": "PT"}})
		if r.Status != http.StatusOK {
			t.Fatalf("complete address: %d %s", r.Status, r.Body)
		}
	})
}

// TestAllowedStatusesArePossible: for documents in random states (drafts
// held or not, with approval on or off, submitted, approved, open, overdue,
// part-paid, past due, closed, void), every status allowed_statuses offers
// is accepted when asked for, and every status it does not offer is
// refused. Each target is tried on a fresh copy of the state.
func TestAllowedStatusesArePossible(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		sys := access.System(e.A.ID, "test")
		admin := e.A.Keys[access.Administrator]
		today := accToday(e)
		rng := rand.New(rand.NewPCG(12, uint64(len(e.A.ID))))
		type state struct {
			name     string
			approval bool
			date     calendar.Date
			hold     calendar.Date
			steps    []string // workflow steps and statuses, in order
			pay      string   // amount paid after issuing
		}
		states := []state{
			{name: "draft"}, {name: "draft held", hold: today.AddDays(5)}, {name: "draft hold passed", hold: today.AddDays(-1)},
			{name: "submitted", steps: []string{"submit"}}, {name: "approved", steps: []string{"submit", "approve"}},
			{name: "open", steps: []string{"open"}}, {name: "open overdue", date: today.AddDays(-60), steps: []string{"open"}},
			{name: "open part-paid", steps: []string{"open"}, pay: "5.00"}, {name: "overdue part-paid", date: today.AddDays(-60), steps: []string{"open"}, pay: "5.00"},
			{name: "past due", date: today.AddDays(-60), steps: []string{"open", "past_due"}}, {name: "paid", steps: []string{"open"}, pay: "20.00"},
			{name: "closed", steps: []string{"open", "closed"}}, {name: "void", steps: []string{"open", "void"}},
		}
		// Random variations: approval on or off, and held drafts going through the workflow.
		base := len(states)
		for range 8 {
			s := states[rng.IntN(base)]
			s.approval = rng.IntN(2) == 0
			if s.approval && slices.Contains(s.steps, "open") {
				s.steps = append([]string{"submit", "approve"}, s.steps...)
			}
			if rng.IntN(3) == 0 && len(s.steps) <= 2 && !slices.Contains(s.steps, "open") {
				s.hold = today.AddDays(rng.IntN(7) - 3)
			}
			s.name += fmt.Sprintf(" (approval %v, hold %s)", s.approval, s.hold)
			states = append(states, s)
		}
		setApproval := func(on bool) {
			if _, err := e.Svc.SetApprovalRequired(ctx, sys, on); err != nil {
				t.Fatalf("approval %v: %v", on, err)
			}
		}
		build := func(s state) string {
			date := today
			if !s.date.IsZero() {
				date = s.date
			}
			setApproval(false)
			inv := accMakeInvoice(t, e, e.A.ID, e.A.Customer, date)
			for _, step := range s.steps {
				var err error
				switch step {
				case "submit":
					_, err = e.Svc.SubmitInvoice(ctx, sys, inv.ID, "")
				case "approve":
					_, err = e.Svc.ApproveInvoice(ctx, sys, inv.ID, "")
				default:
					setApproval(s.approval)
					_, err = e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: step, Reason: "test"})
					setApproval(false)
				}
				if err != nil {
					t.Fatalf("%s: %s: %v", s.name, step, err)
				}
			}
			if !s.hold.IsZero() {
				if _, err := e.Svc.UpdateInvoice(ctx, sys, inv.ID, service.InvoiceInput{HoldUntil: &s.hold}); err != nil {
					t.Fatalf("%s: hold: %v", s.name, err)
				}
			}
			if s.pay != "" {
				if _, err := e.Svc.RecordPayment(ctx, sys, service.PaymentInput{CustomerID: e.A.Customer, Method: "cash", Amount: s.pay,
					Invoices: []service.Allocation{{InvoiceID: inv.ID, Amount: s.pay}}}); err != nil {
					t.Fatalf("%s: pay: %v", s.name, err)
				}
			}
			setApproval(s.approval)
			return inv.ID
		}
		try := func(id string, target string) testserver.Response {
			switch target {
			case "submitted":
				return accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/submit", admin, map[string]any{})
			case "approved":
				return accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/approve", admin, map[string]any{})
			case "draft": // rejecting or editing a submitted or approved draft
				return accDo(t, e, http.MethodPatch, "/api/v1/invoices/"+id, admin, map[string]any{"notes": "edited"})
			}
			return accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/status", admin, map[string]any{"status": target, "reason": "test"})
		}
		offeredSomething := 0
		for _, s := range states {
			var offered []string
			for _, target := range billing.Statuses {
				id := build(s)
				var inv accInvoice
				accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, admin, nil).JSON(t, &inv)
				offered = inv.AllowedStatuses
				r := try(id, string(target))
				ok := r.Status >= 200 && r.Status < 300
				if target == billing.Draft && ok { // an edit of a plain draft succeeds without changing status
					ok = inv.Status != "draft"
				}
				if ok != slices.Contains(offered, string(target)) {
					t.Errorf("%s: offers %v; %s → %d %s", s.name, offered, target, r.Status, accShort(r.Body))
				}
			}
			offeredSomething += len(offered)
			// The refusal of an unoffered move names what is allowed now.
			id := build(s)
			r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/status", admin, map[string]any{"status": "draft"})
			var p struct {
				Allowed []string `json:"allowed"`
			}
			_ = json.Unmarshal(r.Body, &p)
			if r.Status == http.StatusConflict && !slices.Equal(p.Allowed, offered) {
				t.Errorf("%s: the refusal allows %v, allowed_statuses %v", s.name, p.Allowed, offered)
			}
		}
		setApproval(false)
		if offeredSomething == 0 {
			t.Fatal("no state offered any status: the test would prove nothing")
		}
	})
}

// TestNumbersFollowDates: for a Spanish seller, a draft dated before the
// last document issued in its series is refused (422 naming invoice_date
// and the last date, nothing written) or issued with today's date when
// asked ("redate": true); under concurrent issues, numbers still follow
// dates. A seller elsewhere keeps back-dating.
func TestNumbersFollowDates(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		sys := access.System(e.A.ID, "test")
		admin := e.A.Keys[access.Administrator]
		if _, err := e.Svc.UpdateTenant(ctx, sys, service.TenantPatch{Address: &billing.Address{Line1: "Calle Mayor 1", City: "Madrid", Country: "ES"}}); err != nil {
			t.Fatal(err)
		}
		today := accToday(e)
		first := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open")
		early := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today.AddDays(-10))
		before := e.Snapshot()
		p := accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices/"+early.ID+"/status", admin, map[string]any{"status": "open"}),
			http.StatusUnprocessableEntity, "invalid")
		if p.Field != "invoice_date" || !strings.Contains(p.Detail, today.String()) || !strings.Contains(p.Detail, "redate") {
			t.Errorf("problem %+v: want invoice_date, the last issued date %s and how to redate", p, today)
		}
		if after := e.Snapshot(); !maps.Equal(before, after) {
			t.Errorf("refused issue wrote: %v → %v", before, after)
		}
		r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+early.ID+"/status", admin, map[string]any{"status": "open", "redate": true})
		var out accStatusOut
		r.JSON(t, &out)
		if r.Status != http.StatusOK || out.Invoice.InvoiceDate != today.String() || out.Invoice.Number <= first.Number ||
			out.Invoice.DueDate != today.AddDays(early.InvoiceDate.DaysUntil(early.DueDate)).String() {
			t.Errorf("redated issue: %d %s", r.Status, accShort(r.Body))
		}

		// Concurrent issues of drafts with scattered dates: whatever passes,
		// numbers follow dates.
		var ids []string
		for i := range 8 {
			ids = append(ids, accMakeInvoice(t, e, e.A.ID, e.A.Customer, today.AddDays(i%4)).ID)
		}
		done := make(chan int, len(ids))
		for _, id := range ids {
			go func() {
				done <- accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/status", admin, map[string]any{"status": "open"}).Status
			}()
		}
		for range ids {
			if st := <-done; st != http.StatusOK && st != http.StatusUnprocessableEntity {
				t.Errorf("concurrent issue: %d", st)
			}
		}
		page, err := e.Svc.ListInvoices(ctx, sys, service.InvoiceFilter{Statuses: []billing.Status{billing.Open}, Sort: "number", Page: service.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(page.Items); i++ {
			a, b := page.Items[i-1], page.Items[i]
			if b.InvoiceDate.Before(a.InvoiceDate) {
				t.Errorf("%s is dated %s, after %s dated %s", b.Number, b.InvoiceDate, a.Number, a.InvoiceDate)
			}
		}
		if len(page.Items) < 3 {
			t.Errorf("only %d issued: the test would prove little", len(page.Items))
		}

		// Tenant B has no Spanish or Portuguese address: back-dating is its own affair.
		accMakeInvoice(t, e, e.B.ID, e.B.Customer, today, "open")
		accMakeInvoice(t, e, e.B.ID, e.B.Customer, today.AddDays(-10), "open")
	})
}
