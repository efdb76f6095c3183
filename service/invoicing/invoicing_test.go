package invoicing

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service/usecase/usecasetest"
)

func refusingService(t *testing.T) *Service {
	return New(Stores{
		Invoices:    usecasetest.Refusing[InvoicesTx](t),
		Corrections: usecasetest.Refusing[CorrectionsTx](t),
		Tenants:     usecasetest.Refusing[TenantsTx](t),
		Templates:   usecasetest.Refusing[TemplatesTx](t),
		Attachments: usecasetest.Refusing[AttachmentsTx](t),
		Documents:   usecasetest.Refusing[DocumentsTx](t),
	}, Deps{InvoiceEvent: func(inv billing.Invoice, extra map[string]any) map[string]any {
		m := map[string]any{"id": inv.ID, "status": inv.Status}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}}, func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

// Every use case refuses a caller without its permission, and refused
// input, before it opens a transaction.
func TestRefusedBeforeAnyTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sales := access.Principal{TenantID: "t1", UserID: "u1", Role: access.Sales, Name: "S"}
	finance := access.Principal{TenantID: "t1", UserID: "u2", Role: access.Finance, Name: "F"}
	admin := access.Principal{TenantID: "t1", UserID: "u3", Role: access.Administrator, Name: "A"}
	nobody := access.Principal{}
	cases := []struct {
		name string
		call func(s *Service) error
		kind fail.Code
	}{
		{"void needs approve", func(s *Service) error {
			_, err := s.UpdateInvoiceStatus(ctx, finance, "inv", StatusChange{Status: string(billing.Void)})
			return err
		}, fail.Forbidden},
		{"create needs a tenant", func(s *Service) error {
			_, err := s.CreateInvoice(ctx, nobody, InvoiceInput{})
			return err
		}, fail.Unauthenticated},
		{"correct needs approve", func(s *Service) error {
			_, err := s.CorrectInvoice(ctx, finance, "inv", "PRICE", "x")
			return err
		}, fail.Forbidden},
		{"correct needs a reason", func(s *Service) error {
			_, err := s.CorrectInvoice(ctx, admin, "inv", "  ", "x")
			return err
		}, fail.Invalid},
		{"reject needs a comment", func(s *Service) error {
			_, err := s.RejectInvoice(ctx, admin, "inv", " ")
			return err
		}, fail.Invalid},
		{"reason code needs a valid code", func(s *Service) error {
			_, err := s.UpsertReasonCode(ctx, admin, billing.ReasonCode{Code: "no spaces", Description: "d"})
			return err
		}, fail.Invalid},
		{"approval switch needs manage tenant", func(s *Service) error {
			_, err := s.SetApprovalRequired(ctx, finance, true)
			return err
		}, fail.Forbidden},
		{"attachment content must match", func(s *Service) error {
			_, err := s.AddAttachment(ctx, admin, "inv", "a.pdf", "application/pdf", []byte("not a pdf"))
			return err
		}, fail.Invalid},
		{"logo must be an image", func(s *Service) error {
			_, err := s.SetLogo(ctx, admin, []byte("not an image"))
			return err
		}, fail.Invalid},
		{"branding needs manage tenant", func(s *Service) error {
			_, err := s.UpdateBranding(ctx, sales, BrandingPatch{})
			return err
		}, fail.Forbidden},
		{"templates need write invoices", func(s *Service) error {
			_, err := s.CreateTemplate(ctx, access.Principal{TenantID: "t1", Role: access.Engineer}, TemplateInput{})
			return err
		}, fail.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.call(refusingService(t))
			if !fail.Is(err, c.kind) {
				t.Fatalf("got %v, want a %s error", err, c.kind)
			}
		})
	}
}

// statusEvents emits the events the domain named for the change, in its
// order, then invoice.status_changed, each with the status before and the
// reason given. (The names per transition are billing's:
// TestLifecycleEvents.)
func TestStatusEvents(t *testing.T) {
	t.Parallel()
	s := refusingService(t)
	cases := []struct {
		change billing.Change
		reason string
		want   []string
	}{
		{billing.Change{From: billing.Draft, To: billing.Open, Events: []string{"invoice.issued"}}, "",
			[]string{"invoice.issued", "invoice.status_changed"}},
		{billing.Change{From: billing.Draft, To: billing.Closed, Events: []string{"invoice.issued", "invoice.closed"}}, "",
			[]string{"invoice.issued", "invoice.closed", "invoice.status_changed"}},
		{billing.Change{From: billing.Open, To: billing.Void, Events: []string{"invoice.voided"}}, "typo",
			[]string{"invoice.voided", "invoice.status_changed"}},
		{billing.Change{From: billing.Open, To: billing.Open}, "", []string{"invoice.status_changed"}},
	}
	for _, c := range cases {
		evs := s.statusEvents(billing.Invoice{ID: "inv", Status: c.change.To}, c.change, c.reason)
		var got []string
		for _, e := range evs {
			got = append(got, e.Type)
			data := e.Data.(map[string]any)
			if data["from"] != c.change.From {
				t.Errorf("%s→%s %s: from = %v", c.change.From, c.change.To, e.Type, data["from"])
			}
			if r, ok := data["reason"]; (c.reason != "") != ok || (ok && r != c.reason) {
				t.Errorf("%s→%s %s: reason = %v, want %q", c.change.From, c.change.To, e.Type, r, c.reason)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s→%s: events %v, want %v", c.change.From, c.change.To, got, c.want)
		}
	}
}

func TestLabelVisibleAndReadPermission(t *testing.T) {
	t.Parallel()
	if got := Label(billing.Invoice{Number: "INV-1", DocumentNumber: "D-000001"}); got != "INV-1" {
		t.Errorf("Label of an issued document = %q", got)
	}
	if got := Label(billing.Invoice{DocumentNumber: "D-000001"}); got != "D-000001" {
		t.Errorf("Label of a draft = %q", got)
	}
	cust := access.Principal{TenantID: "t1", Role: access.Customer, CustomerID: "c1"}
	staff := access.Principal{TenantID: "t1", Role: access.Finance}
	if ReadPermission(cust) != access.OwnAccount || ReadPermission(staff) != access.ReadInvoices {
		t.Errorf("ReadPermission: customer %s, staff %s", ReadPermission(cust), ReadPermission(staff))
	}
	cases := []struct {
		name string
		p    access.Principal
		inv  billing.Invoice
		want bool
	}{
		{"staff sees a draft", staff, billing.Invoice{Status: billing.Draft, CustomerID: "c2"}, true},
		{"customer sees its issued document", cust, billing.Invoice{Status: billing.Open, CustomerID: "c1"}, true},
		{"customer sees what it is billed for", cust, billing.Invoice{Status: billing.Open, CustomerID: "c9", InvoiceAccountID: "c1"}, true},
		{"customer does not see its draft", cust, billing.Invoice{Status: billing.Draft, CustomerID: "c1"}, false},
		{"customer does not see another's", cust, billing.Invoice{Status: billing.Open, CustomerID: "c2", InvoiceAccountID: "c2"}, false},
	}
	for _, c := range cases {
		if got := Visible(c.p, c.inv); got != c.want {
			t.Errorf("%s: Visible = %v", c.name, got)
		}
	}
}
