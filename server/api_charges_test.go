package server_test

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// accCharge is a header charge as the API shows it.
type accCharge struct {
	Position    int      `json:"position"`
	Code        string   `json:"code"`
	Description string   `json:"description"`
	Account     string   `json:"account"`
	Amount      string   `json:"amount"`
	TaxCodes    []string `json:"tax_codes"`
	TaxAmount   string   `json:"tax_amount"`
}

// accChargedInvoice is the part of a document with charges the tests read.
type accChargedInvoice struct {
	accInvoice
	Charges     []accCharge `json:"charges"`
	ChargeTotal string      `json:"charge_total"`
}

// TestInvoiceCharges: header charges (seed 004: freight, a handling fee)
// over the API on every engine. A charge is taxed like a line of its item
// sales tax group, adds to the net, the tax breakdown and the total, and is
// read back; its account must be an active, non-control account of the
// tenant's own chart, and bad charges are refused naming the field,
// writing nothing; an edit replaces or removes them; issuing credits each
// charge's net to its own account in a balanced entry; a correction's
// credit note copies them and posts the mirror.
func TestInvoiceCharges(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		accTaxSetup(t, e, e.A, e.A.Customer)
		for _, a := range []struct {
			key, code string
		}{{admin, "4300"}, {e.B.Keys[access.Administrator], "4400"}} {
			if r := accDo(t, e, http.MethodPut, "/api/v1/ledger/accounts/"+a.code, a.key, map[string]any{"name": "Freight charged", "type": "revenue"}); r.Status != http.StatusOK && r.Status != http.StatusCreated {
				t.Fatalf("ledger account %s: %d %s", a.code, r.Status, r.Body)
			}
		}
		line := map[string]any{"description": "Consulting", "amount": "100.00", "item_sales_tax_group": "FULL"}
		freight := map[string]any{"code": "freight", "description": "Freight", "account": "4300", "item_sales_tax_group": "RED", "amount": "4.95"}
		body := func(charges ...map[string]any) map[string]any {
			return map[string]any{"customer_id": e.A.Customer, "lines": []any{line}, "charges": charges}
		}
		get := func(id string) accChargedInvoice {
			t.Helper()
			var inv accChargedInvoice
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, admin, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("get %s: %d %s", id, r.Status, r.Body)
			}
			r.JSON(t, &inv)
			return inv
		}
		r := accDo(t, e, http.MethodPost, "/api/v1/invoices", admin, body(freight))
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created accChargedInvoice
		r.JSON(t, &created)
		for _, inv := range []accChargedInvoice{created, get(created.ID)} {
			if len(inv.Charges) != 1 {
				t.Fatalf("charges %+v", inv.Charges)
			}
			ch := inv.Charges[0]
			// 10 % of 4.95 = 0.495 → 0.50; 21 % of 100.00 = 21.00.
			if ch.Code != "FREIGHT" || ch.Account != "4300" || ch.Amount != "4.95" || ch.TaxAmount != "0.50" || !slices.Equal(ch.TaxCodes, []string{"V10"}) || ch.Position != 1 {
				t.Errorf("charge %+v", ch)
			}
			if inv.Net != "104.95" || inv.Tax != "21.50" || inv.Total != "126.45" || inv.ChargeTotal != "4.95" {
				t.Errorf("net %s tax %s total %s charges %s; want 104.95, 21.50, 126.45, 4.95", inv.Net, inv.Tax, inv.Total, inv.ChargeTotal)
			}
			var taxes []string
			for _, x := range inv.Taxes {
				taxes = append(taxes, x.Code+":"+x.Base+":"+x.Amount)
			}
			if want := []string{"V10:4.95:0.50", "V21:100.00:21.00"}; !slices.Equal(taxes, want) {
				t.Errorf("taxes %v, want %v", taxes, want)
			}
		}

		// Bad charges: refused naming the field, nothing written.
		with := func(k, v string) map[string]any {
			c := maps.Clone(freight)
			c[k] = v
			return c
		}
		for _, c := range []struct {
			name, field string
			charge      map[string]any
		}{
			{"unknown account", "charges[0].account", with("account", "9999")},
			{"another tenant's account", "charges[0].account", with("account", "4400")},
			{"control account", "charges[0].account", with("account", "1100")},
			{"no account", "charges[0].account", with("account", "")},
			{"amount not a number", "charges[0].amount", with("amount", "lots")},
			{"amount with 3 decimals", "charges[0].amount", with("amount", "4.955")},
			{"zero amount", "charges[0].amount", with("amount", "0")},
			{"unknown item group", "charges[0].item_sales_tax_group", with("item_sales_tax_group", "NOPE")},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := e.Snapshot()
				p := accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices", admin, body(c.charge)), 422, "invalid")
				if p.Field != c.field {
					t.Errorf("field %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
				if after := e.Snapshot(); !maps.Equal(before, after) {
					t.Errorf("a refused request changed the database: %v → %v", before, after)
				}
			})
		}

		// An edit removes them, another puts two back.
		patch := func(charges ...map[string]any) accChargedInvoice {
			t.Helper()
			if charges == nil {
				charges = []map[string]any{} // [], not null
			}
			r := accDo(t, e, http.MethodPatch, "/api/v1/invoices/"+created.ID, admin, map[string]any{"charges": charges})
			if r.Status != http.StatusOK {
				t.Fatalf("patch: %d %s", r.Status, r.Body)
			}
			var inv accChargedInvoice
			r.JSON(t, &inv)
			return inv
		}
		if inv := patch(); len(inv.Charges) != 0 || inv.Net != "100.00" || len(get(created.ID).Charges) != 0 {
			t.Errorf("after removing the charges: %+v, net %s", inv.Charges, inv.Net)
		}
		handling := map[string]any{"description": "Handling fee", "account": "4100", "item_sales_tax_group": "FULL", "amount": "2.50"}
		if inv := patch(freight, handling); len(inv.Charges) != 2 || inv.Charges[1].Description != "Handling fee" || inv.Total != "129.48" {
			// 100 + 4.95 + 2.50 = 107.45; tax 21 % of 102.50 = 21.525 → 21.53 and 0.50: 129.48.
			t.Errorf("after two charges: %+v, total %s", inv.Charges, inv.Total)
		}

		// Issued: each charge's net credited to its account, balanced.
		issued := accStatus(t, e, admin, created.ID, map[string]any{"status": "open"}).Invoice
		var entry accEntry
		accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+issued.EntryID, admin, nil).JSON(t, &entry)
		sums := map[string]decimal.Decimal{}
		var debit, credit decimal.Decimal
		for _, l := range entry.Lines {
			sums[l.Account] = sums[l.Account].Add(accDec(t, l.Debit)).Sub(accDec(t, l.Credit))
			debit, credit = debit.Add(accDec(t, l.Debit)), credit.Add(accDec(t, l.Credit))
		}
		for account, want := range map[string]string{"1100": "129.48", "4300": "-4.95", "4100": "-2.50", "4000": "-100.00", "2100": "-22.03"} {
			if !sums[account].Equal(decimal.RequireFromString(want)) {
				t.Errorf("account %s moved %s, want %s (entry %v)", account, sums[account], want, sums)
			}
		}
		if !debit.Equal(credit) {
			t.Errorf("entry debit %s ≠ credit %s", debit, credit)
		}
		tb := accTrialBalance(t, e, admin, "")
		if !accDec(t, tb["4300"].Net).Equal(decimal.RequireFromString("-4.95")) {
			t.Errorf("trial balance of 4300: %s", tb["4300"].Net)
		}

		// A correction: the credit note copies the charges and posts the mirror.
		var corr struct {
			CreditNote  accChargedInvoice `json:"credit_note"`
			Replacement accChargedInvoice `json:"replacement"`
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices/"+created.ID+"/correct", admin, map[string]any{"reason_code": "PRICE"})
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			t.Fatalf("correct: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &corr)
		cn := get(corr.CreditNote.ID)
		if len(cn.Charges) != 2 || cn.Total != "129.48" || len(get(corr.Replacement.ID).Charges) != 2 {
			t.Errorf("credit note charges %+v total %s; replacement charges %d", cn.Charges, cn.Total, len(get(corr.Replacement.ID).Charges))
		}
		if cn.EntryID == "" || cn.Status == "draft" {
			t.Fatalf("the correction's credit note is %s, entry %q: want it issued", cn.Status, cn.EntryID)
		}
		if tb := accTrialBalance(t, e, admin, ""); !accDec(t, tb["4300"].Net).IsZero() {
			t.Errorf("after the credit note, 4300 nets %s, want 0", tb["4300"].Net)
		}
	})
}
