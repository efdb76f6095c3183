package documents_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/facturo/facturo/documents"
)

func TestCSVPlainAndDetailed(t *testing.T) {
	d := sample(t, "es", "EUR", 3)
	d.Invoice.BillTo.LegalName = "=HYPERLINK(\"x\"), \"Núñez\"\nS.L."
	var plain, detailed bytes.Buffer
	for _, c := range []struct {
		buf      *bytes.Buffer
		detailed bool
	}{{&plain, false}, {&detailed, true}} {
		w := documents.NewCSVWriter(c.buf, c.detailed)
		for range 2 {
			if err := w.Write(&d.Invoice); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Contains(plain.Bytes(), []byte("\r\n")) {
		t.Error("rows do not end in CRLF (RFC 4180)")
	}
	rows, err := csv.NewReader(&plain).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "invoice_id" {
		t.Fatalf("plain CSV: %q", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	r := rows[1]
	if r[col["total"]] != d.Invoice.Total.StringFixed() || r[col["net"]] != d.Invoice.Net.StringFixed() || strings.ContainsAny(r[col["total"]], ",€ ") {
		t.Errorf("amounts %q/%q are not the stored plain decimals %s/%s", r[col["net"]], r[col["total"]], d.Invoice.Net, d.Invoice.Total)
	}
	if got := r[col["customer_name"]]; got != "'"+d.Invoice.BillTo.LegalName {
		t.Errorf("a formula-like name is %q; want it quoted with an apostrophe and kept whole", got)
	}
	if r[col["invoice_date"]] != "2026-03-05" || r[col["sap_id"]] != "SAP-778899" {
		t.Errorf("row %q", r)
	}
	drows, err := csv.NewReader(&detailed).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(drows) != 1+2*3 || len(drows[1]) != len(drows[0]) {
		t.Fatalf("detailed CSV: %d rows", len(drows))
	}
	dcol := map[string]int{}
	for i, h := range drows[0] {
		dcol[h] = i
	}
	for i, l := range d.Invoice.Lines {
		row := drows[1+i]
		if row[dcol["invoice_id"]] != d.Invoice.ID || row[dcol["line"]] != itoa(l.Position) || row[dcol["amount"]] != l.Amount.StringFixed() ||
			row[dcol["description"]] != l.Description || row[dcol["total"]] != d.Invoice.Total.StringFixed() {
			t.Errorf("detailed row %d: %q", i, row)
		}
	}
}
