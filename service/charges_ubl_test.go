package service_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestUBLWithChargesPassesEN16931: documents with header charges (seed
// 004: freight, a handling fee), made through the service on each engine,
// render as UBL with document-level charges (BG-21: cac:AllowanceCharge
// with ChargeIndicator true, its VAT category) and ChargeTotalAmount
// (BT-108), with the lines' sum (BT-106) apart, and pass the official EN
// 16931 rules: standard rates at a half-cent boundary, an exempt charge,
// reverse charge, export in yen, out of scope, a correction's credit note
// and a standalone one. Both engines give the same bytes.
func TestUBLWithChargesPassesEN16931(t *testing.T) {
	t.Parallel()
	kit := einvoiceKit(t)
	type spec struct {
		customer, kind string
		lines, charges [][2]string // item group, amount
		correct        bool
	}
	specs := []spec{
		{customer: "es", lines: [][2]string{{"S21", "100.00"}, {"S10", "20.05"}}, charges: [][2]string{{"S21", "4.95"}, {"S10", "0.05"}}, correct: true},
		{customer: "es", lines: [][2]string{{"S21", "10.00"}}, charges: [][2]string{{"EX", "3.00"}}},
		{customer: "pt", lines: [][2]string{{"RC", "250.00"}}, charges: [][2]string{{"RC", "12.50"}}},
		{customer: "jp", lines: [][2]string{{"EXP", "10000"}}, charges: [][2]string{{"EXP", "1500"}}},
		{customer: "us", lines: [][2]string{{"NS", "80.00"}}, charges: [][2]string{{"NS", "7.99"}}},
		{customer: "es", kind: "credit_note", lines: [][2]string{{"S21", "40.00"}}, charges: [][2]string{{"S21", "2.50"}}},
	}
	corpora := map[store.Engine][][]byte{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, service.WithClock(func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }))
		fx := newDocFixture(t, ctx, svc)
		var ids []string
		for i, s := range specs {
			c := fx.customers[s.customer]
			var lines []service.LineInput
			for j, l := range s.lines {
				lines = append(lines, service.LineInput{Description: fmt.Sprintf("Servicio gestionado %d-%d", i, j), ItemSalesTaxGroup: l[0], Amount: ptr(l[1])})
			}
			var charges []service.ChargeInput
			for j, ch := range s.charges {
				charges = append(charges, service.ChargeInput{Code: []string{"FREIGHT", "HANDLING"}[j%2],
					Description: []string{"Portes", "Gastos de gestión"}[j%2], Account: "4100", ItemSalesTaxGroup: ch[0], Amount: ch[1]})
			}
			in := service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, Charges: &charges, InvoiceDate: ptr(calendar.New(2026, 3, 1))}
			if s.kind != "" {
				in.Kind = ptr(s.kind)
			}
			if c.Billing.Currency != "EUR" {
				in.ExchangeRate = ptr("0.006123")
			}
			inv, err := svc.CreateInvoice(ctx, fx.p, in)
			if err != nil {
				t.Fatalf("document %d: create: %v", i, err)
			}
			if _, err := svc.UpdateInvoiceStatus(ctx, fx.p, inv.ID, service.StatusChange{Status: "open"}); err != nil {
				t.Fatalf("document %d: issue: %v", i, err)
			}
			ids = append(ids, inv.ID)
			if s.correct {
				cor, err := svc.CorrectInvoice(ctx, fx.p, inv.ID, "PRICE", "Portes corregidos")
				if err != nil {
					t.Fatalf("document %d: correct: %v", i, err)
				}
				ids = append(ids, cor.CreditNote.ID)
			}
		}
		for _, id := range ids {
			b, inv, err := svc.InvoiceUBL(ctx, fx.p, id)
			if err != nil {
				t.Fatalf("UBL of %s: %v", id, err)
			}
			if len(inv.Charges) == 0 {
				t.Errorf("%s %s has no charges", inv.Kind, inv.Number)
			}
			want := fmt.Sprintf(`<cbc:ChargeTotalAmount currencyID="%s">%s</cbc:ChargeTotalAmount>`, inv.Currency, inv.ChargeTotal().Fixed())
			lines := fmt.Sprintf(`<cbc:LineExtensionAmount currencyID="%s">%s</cbc:LineExtensionAmount>`, inv.Currency, inv.LineTotal().Fixed())
			if n := bytes.Count(b, []byte("<cbc:ChargeIndicator>true</cbc:ChargeIndicator>")); n != len(inv.Charges) ||
				!bytes.Contains(b, []byte(want)) || !bytes.Contains(b, []byte("<cac:LegalMonetaryTotal>"+lines)) {
				t.Errorf("%s %s: %d document-level charges, want %d, with %s and %s:\n%s", inv.Kind, inv.Number, n, len(inv.Charges), want, lines, b)
			}
			corpora[db.Engine()] = append(corpora[db.Engine()], b)
		}
	})
	var first [][]byte
	for _, c := range corpora {
		if first == nil {
			first = c
			continue
		}
		for i := range c {
			if i >= len(first) || !bytes.Equal(c[i], first[i]) {
				t.Errorf("document %d differs between engines", i)
			}
		}
	}
	dir := t.TempDir()
	if d := os.Getenv("FACTURO_UBL_DIR"); d != "" { // to run validate.sh on them by hand
		dir = d
	}
	var files []string
	for i, b := range first {
		f := filepath.Join(dir, fmt.Sprintf("charges-%02d.xml", i))
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	verdicts, err := kit.Check(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range verdicts {
		if !v.Valid() {
			b, _ := os.ReadFile(v.File)
			t.Errorf("%s fails EN 16931:\n  %s\n%s", filepath.Base(v.File), strings.Join(v.Fatal, "\n  "), b)
		}
	}
	if len(verdicts) != len(files) || len(files) != len(specs)+1 {
		t.Fatalf("%d verdicts of %d documents (%d specs)", len(verdicts), len(files), len(specs))
	}
}

// TestChargesNeedTheirTaxAtIssue: in a taxed tenant a charge without an
// item sales tax group is saved as a draft but refused at issue, naming
// the charge; with its group it issues.
func TestChargesNeedTheirTaxAtIssue(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, service.WithClock(func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }))
		fx := newDocFixture(t, ctx, svc)
		c := fx.customers["es"]
		lines := []service.LineInput{{Description: "Servicio", ItemSalesTaxGroup: "S21", Amount: ptr("10.00")}}
		charges := []service.ChargeInput{{Description: "Portes", Account: "4100", Amount: "5.00"}}
		inv, err := svc.CreateInvoice(ctx, fx.p, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, Charges: &charges})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.UpdateInvoiceStatus(ctx, fx.p, inv.ID, service.StatusChange{Status: "open"})
		if err == nil || !strings.Contains(err.Error(), "charges[0].item_sales_tax_group") {
			t.Fatalf("issue with an untaxed charge: %v", err)
		}
		charges[0].ItemSalesTaxGroup = "S10"
		if _, err := svc.UpdateInvoice(ctx, fx.p, inv.ID, service.InvoiceInput{Charges: &charges}); err != nil {
			t.Fatal(err)
		}
		res, err := svc.UpdateInvoiceStatus(ctx, fx.p, inv.ID, service.StatusChange{Status: "open"})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Invoice; got.Status != billing.Open || got.Total.Fixed() != "17.60" || len(got.Charges) != 1 {
			t.Errorf("issued %s total %s charges %d; want open, 17.60, 1 (10 + 2.10 + 5 + 0.50)", got.Status, got.Total.Fixed(), len(got.Charges))
		}
	})
}
