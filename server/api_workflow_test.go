package server_test

// Acceptance tests over HTTP, on every engine, of seed 004's corrections
// (credit note and replacement, linked), the optional approval workflow,
// attachments and recurring invoice templates.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// accDoc is the part of a document the correction and workflow tests read.
type accDoc struct {
	ID                string `json:"id"`
	Kind              string `json:"kind"`
	Status            string `json:"status"`
	Number            string `json:"number"`
	Total             string `json:"total"`
	Balance           string `json:"balance"`
	EntryID           string `json:"entry_id"`
	OriginalID        string `json:"original_id"`
	CreditNoteID      string `json:"credit_note_id"`
	ReplacementID     string `json:"replacement_id"`
	CorrectionReason  string `json:"correction_reason"`
	CorrectionComment string `json:"correction_comment"`
}

func accGetDoc(t *testing.T, e *testserver.Env, key, id string) accDoc {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get %s: %d %s", id, r.Status, r.Body)
	}
	var d accDoc
	r.JSON(t, &d)
	return d
}

// accUnchanged fails t if the database changed since before.
func accUnchanged(t *testing.T, e *testserver.Env, what string, before map[string]int) {
	t.Helper()
	if after := e.Snapshot(); !maps.Equal(before, after) {
		t.Errorf("%s changed the database: %v → %v", what, before, after)
	}
}

// accMakePDF returns a small, well-formed one-page PDF (cross-reference
// table with the real offsets).
func accMakePDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	stream := "BT /F1 12 Tf 20 100 Td (Facturo attachment) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// accMakePNG returns a small PNG made by the standard encoder.
func accMakePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		for y := range 3 {
			img.Set(x, y, color.RGBA{uint8(60 * x), uint8(80 * y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestInvoiceCorrection: correcting a posted invoice issues a credit note and
// a replacement draft, all three linked; what cannot be corrected is refused
// and writes nothing.
func TestInvoiceCorrection(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm := e.A.Keys[access.FinanceManager]
		today := accToday(e)
		orig := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open")

		r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+orig.ID+"/correct", fm,
			map[string]any{"reason_code": "price", "comment": "Agreed price is 9.00"})
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("correct: %d %s", r.Status, r.Body)
		}
		var c struct {
			Original    accDoc `json:"original"`
			CreditNote  accDoc `json:"credit_note"`
			Replacement accDoc `json:"replacement"`
		}
		r.JSON(t, &c)
		if c.Original.ID != orig.ID || c.CreditNote.ID == "" || c.Replacement.ID == "" || c.CreditNote.ID == c.Replacement.ID {
			t.Fatalf("correction ids: %+v", c)
		}
		if c.CreditNote.Kind != "credit_note" || c.CreditNote.Number == "" || c.CreditNote.EntryID == "" || c.CreditNote.Total != "20.00" {
			t.Errorf("credit note: %+v, want an issued, posted credit note of 20.00", c.CreditNote)
		}
		if c.Replacement.Kind != "invoice" || c.Replacement.Status != "draft" || c.Replacement.Number != "" {
			t.Errorf("replacement: %+v, want an unnumbered draft invoice", c.Replacement)
		}
		// Each document, read back, names the other two.
		o := accGetDoc(t, e, fm, c.Original.ID)
		cn := accGetDoc(t, e, fm, c.CreditNote.ID)
		rp := accGetDoc(t, e, fm, c.Replacement.ID)
		if o.CreditNoteID != cn.ID || o.ReplacementID != rp.ID {
			t.Errorf("original links credit note %q, replacement %q; want %s, %s", o.CreditNoteID, o.ReplacementID, cn.ID, rp.ID)
		}
		if cn.OriginalID != o.ID || cn.ReplacementID != rp.ID {
			t.Errorf("credit note links original %q, replacement %q; want %s, %s", cn.OriginalID, cn.ReplacementID, o.ID, rp.ID)
		}
		if rp.OriginalID != o.ID || rp.CreditNoteID != cn.ID {
			t.Errorf("replacement links original %q, credit note %q; want %s, %s", rp.OriginalID, rp.CreditNoteID, o.ID, cn.ID)
		}
		if o.CorrectionReason != "PRICE" || o.CorrectionComment != "Agreed price is 9.00" {
			t.Errorf("original's reason %q comment %q", o.CorrectionReason, o.CorrectionComment)
		}
		// The credit note settles the original in full.
		if o.Balance != "0.00" || o.Status != "closed" || cn.Balance != "0.00" {
			t.Errorf("after correction: original %s balance %s, credit note balance %s; want closed 0.00 and 0.00", o.Status, o.Balance, cn.Balance)
		}
		// The ledger still nets: receivables of A are back to zero.
		if tb := accTrialBalance(t, e, fm, ""); tb["1100"].Net != "0.00" {
			t.Errorf("receivables after correction: %+v, want 0.00", tb["1100"])
		}

		// What cannot be corrected: 409, nothing written.
		draft := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today)
		void := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open", "void")
		for what, id := range map[string]string{"a draft": draft.ID, "a void invoice": void.ID,
			"an invoice corrected already": orig.ID, "a credit note": cn.ID, "the replacement draft": rp.ID} {
			before := e.Snapshot()
			r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/correct", fm, map[string]any{"reason_code": "PRICE"})
			accWantProblem(t, r, http.StatusConflict, "conflict")
			accUnchanged(t, e, "correcting "+what, before)
		}
		// Bad reason codes: 422 on reason_code, nothing written.
		open := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open")
		for _, body := range []map[string]any{{"reason_code": "NO-SUCH-CODE"}, {"reason_code": ""}, {"comment": "no reason"}} {
			before := e.Snapshot()
			r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+open.ID+"/correct", fm, body)
			p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid")
			if p.Field != "reason_code" {
				t.Errorf("correct with %v: field %q, want reason_code (%s)", body, p.Field, r.Body)
			}
			accUnchanged(t, e, fmt.Sprintf("correct with %v", body), before)
		}
		if d := accGetDoc(t, e, fm, open.ID); d.Status != "open" || d.CreditNoteID != "" {
			t.Errorf("refused corrections changed the invoice: %+v", d)
		}
		// A new reason code works at once; an archived one does not.
		admin := e.A.Keys[access.Administrator]
		if r := accDo(t, e, http.MethodPut, "/api/v1/reason-codes/GOODWILL", admin, map[string]any{"description": "Goodwill", "archived": true}); r.Status != http.StatusOK {
			t.Fatalf("put reason code: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices/"+open.ID+"/correct", fm, map[string]any{"reason_code": "GOODWILL"}),
			http.StatusUnprocessableEntity, "invalid")
		var codes accList[struct {
			Code     string `json:"code"`
			Archived bool   `json:"archived"`
		}]
		accDo(t, e, http.MethodGet, "/api/v1/reason-codes", e.A.Keys[access.Sales], nil).JSON(t, &codes)
		found := false
		for _, c := range codes.Data {
			found = found || (c.Code == "GOODWILL" && c.Archived)
		}
		if !found || len(codes.Data) < 2 {
			t.Errorf("reason codes: %+v, want the defaults and GOODWILL archived", codes.Data)
		}
	})
}

// TestApprovalWorkflow walks a draft through submit, reject, submit and
// approve over HTTP with the tenant's approval workflow on.
func TestApprovalWorkflow(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin, fin, fm := e.A.Keys[access.Administrator], e.A.Keys[access.Finance], e.A.Keys[access.FinanceManager]
		if r := accDo(t, e, http.MethodPut, "/api/v1/approval-workflow", admin, map[string]any{"approval_required": true}); r.Status != http.StatusNoContent {
			t.Fatalf("approval on: %d %s", r.Status, r.Body)
		}
		inv := accPost(t, e, fin, accInvBody(e.A.Customer))
		step := func(key, action string, body any) testserver.Response {
			t.Helper()
			return accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/"+action, key, body)
		}
		wantStatus := func(r testserver.Response, status string) {
			t.Helper()
			var d accDoc
			if r.Status != http.StatusOK {
				t.Fatalf("want %s: %d %s", status, r.Status, r.Body)
			}
			r.JSON(t, &d)
			if d.Status != status {
				t.Fatalf("status %q, want %q", d.Status, status)
			}
		}
		issue := func(key string) testserver.Response {
			return accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/status", key, map[string]any{"status": "open"})
		}
		refused := func(r testserver.Response, status int, code, what string, before map[string]int) accProblem {
			t.Helper()
			p := accWantProblem(t, r, status, code)
			accUnchanged(t, e, what, before)
			return p
		}

		// A draft cannot be issued, approved or rejected before submission.
		before := e.Snapshot()
		refused(issue(fin), http.StatusConflict, "conflict", "issue an unsubmitted draft", before)
		refused(step(fm, "approve", nil), http.StatusConflict, "conflict", "approve a draft", before)

		wantStatus(step(fin, "submit", map[string]any{"comment": "Ready for review"}), "submitted")
		before = e.Snapshot()
		refused(issue(fin), http.StatusConflict, "conflict", "issue a submitted draft", before)
		refused(step(fin, "submit", nil), http.StatusConflict, "conflict", "submit twice", before)
		// Rejecting needs the approve permission and a comment.
		refused(step(fin, "reject", map[string]any{"comment": "no"}), http.StatusForbidden, "forbidden", "reject as finance", before)
		p := refused(step(fm, "reject", map[string]any{}), http.StatusUnprocessableEntity, "invalid", "reject without comment", before)
		if p.Field != "comment" {
			t.Errorf("reject without comment: field %q, want comment", p.Field)
		}
		refused(step(fm, "reject", map[string]any{"comment": "   "}), http.StatusUnprocessableEntity, "invalid", "reject with a blank comment", before)
		wantStatus(step(fm, "reject", map[string]any{"comment": "Use the agreed price"}), "draft")

		wantStatus(step(fin, "submit", nil), "submitted")
		// Only finance_manager (and above) approves: finance gets 403.
		before = e.Snapshot()
		refused(step(fin, "approve", nil), http.StatusForbidden, "forbidden", "approve as finance", before)
		for _, role := range []access.Role{access.GroupManager, access.Sales, access.Engineer, access.Customer} {
			refused(step(e.A.Keys[role], "approve", nil), http.StatusForbidden, "forbidden", "approve as "+string(role), before)
		}
		wantStatus(step(fm, "approve", map[string]any{"comment": "OK"}), "approved")
		before = e.Snapshot()
		refused(step(fm, "approve", nil), http.StatusConflict, "conflict", "approve twice", before)

		// Issued once approved, and only once.
		r := issue(fin)
		var st accStatusOut
		if r.Status != http.StatusOK {
			t.Fatalf("issue approved: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &st)
		if st.Invoice.Status != "open" || st.Invoice.Number == "" {
			t.Errorf("issued: %+v", st.Invoice)
		}
		before = e.Snapshot()
		refused(issue(fin), http.StatusConflict, "conflict", "issue twice", before)
		refused(step(fin, "submit", nil), http.StatusConflict, "conflict", "submit an issued invoice", before)

		// The history: who did what, when, with which comment.
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+inv.ID+"/workflow", e.A.Keys[access.Sales], nil)
		var hist accList[struct {
			Seq       int    `json:"seq"`
			Action    string `json:"action"`
			ActorID   string `json:"actor_id"`
			ActorName string `json:"actor_name"`
			Comment   string `json:"comment"`
			At        string `json:"at"`
		}]
		if r.Status != http.StatusOK {
			t.Fatalf("workflow: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &hist)
		want := []struct{ action, who, comment string }{
			{"submitted", "finance", "Ready for review"},
			{"rejected", "finance_manager", "Use the agreed price"},
			{"submitted", "finance", ""},
			{"approved", "finance_manager", "OK"},
		}
		if len(hist.Data) != len(want) {
			t.Fatalf("workflow: %d events %+v, want %d", len(hist.Data), hist.Data, len(want))
		}
		actors := map[string]string{}
		for i, w := range want {
			ev := hist.Data[i]
			if ev.Action != w.action || ev.Comment != w.comment || !strings.HasSuffix(ev.ActorName, " "+w.who) || ev.ActorID == "" || ev.At == "" {
				t.Errorf("workflow event %d: %+v, want %s by %s with %q", i, ev, w.action, w.who, w.comment)
			}
			if prev, ok := actors[w.who]; ok && prev != ev.ActorID {
				t.Errorf("workflow event %d: actor id %s, earlier %s for the same key", i, ev.ActorID, prev)
			}
			actors[w.who] = ev.ActorID
		}
		if actors["finance"] == actors["finance_manager"] {
			t.Errorf("workflow: the same actor id %q for both keys", actors["finance"])
		}
		// The portal never sees the internal history.
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/invoices/"+inv.ID+"/workflow", e.A.Keys[access.Customer], nil), http.StatusForbidden, "forbidden")

		// Editing an approved draft returns it to draft: approval is of what was approved.
		other := accPost(t, e, fin, accInvBody(e.A.Customer))
		for _, s := range []struct{ key, action string }{{fin, "submit"}, {fm, "approve"}} {
			if r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+other.ID+"/"+s.action, s.key, nil); r.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", s.action, r.Status, r.Body)
			}
		}
		if r := accDo(t, e, http.MethodPatch, "/api/v1/invoices/"+other.ID, fin, map[string]any{"notes": "changed after approval"}); r.Status != http.StatusOK {
			t.Fatalf("edit approved: %d %s", r.Status, r.Body)
		}
		if d := accGetDoc(t, e, fin, other.ID); d.Status != "draft" {
			t.Errorf("edited approved draft is %s, want draft", d.Status)
		}
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices/"+other.ID+"/status", fin, map[string]any{"status": "open"}), http.StatusConflict, "conflict")
	})
}

// TestAttachments: files are stored with a document and come back byte for
// byte; a lying content type or an oversized file is refused.
func TestAttachments(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fin := e.A.Keys[access.Finance]
		inv := accPost(t, e, fin, accInvBody(e.A.Customer))
		base := "/api/v1/invoices/" + inv.ID + "/attachments"
		upload := func(name, ct string, data []byte) testserver.Response {
			t.Helper()
			return accDo(t, e, http.MethodPost, base+"?filename="+name, fin, data, "Content-Type", ct)
		}
		type att struct {
			ID          string `json:"id"`
			InvoiceID   string `json:"invoice_id"`
			Filename    string `json:"filename"`
			ContentType string `json:"content_type"`
			Size        int    `json:"size"`
			SHA256      string `json:"sha256"`
		}
		pdfData, pngData := accMakePDF(), accMakePNG(t)
		files := map[string]struct {
			ct   string
			data []byte
		}{"invoice-scan.pdf": {"application/pdf", pdfData}, "logo.png": {"image/png", pngData}}
		ids := map[string]string{}
		for name, f := range files {
			r := upload(name, f.ct, f.data)
			if r.Status != http.StatusCreated {
				t.Fatalf("upload %s: %d %s", name, r.Status, r.Body)
			}
			var a att
			r.JSON(t, &a)
			if a.ID == "" || a.InvoiceID != inv.ID || a.Filename != name || a.ContentType != f.ct || a.Size != len(f.data) || len(a.SHA256) != 64 {
				t.Errorf("uploaded %s: %+v", name, a)
			}
			ids[name] = a.ID
		}
		for name, f := range files {
			r := accDo(t, e, http.MethodGet, base+"/"+ids[name], e.A.Keys[access.Sales], nil)
			if r.Status != http.StatusOK || !bytes.Equal(r.Body, f.data) {
				t.Errorf("download %s: %d, %d bytes, want the %d uploaded", name, r.Status, len(r.Body), len(f.data))
			}
			if ct := r.Header.Get("Content-Type"); ct != f.ct {
				t.Errorf("download %s: Content-Type %q, want %q", name, ct, f.ct)
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, name) {
				t.Errorf("download %s: Content-Disposition %q", name, cd)
			}
		}
		var list accList[att]
		accDo(t, e, http.MethodGet, base, fin, nil).JSON(t, &list)
		if len(list.Data) != 2 {
			t.Errorf("attachments: %+v, want 2", list.Data)
		}

		// Refused, writing nothing: a PNG declared as a PDF, an unknown
		// type, an empty file, and a file over 10 MiB.
		big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 10<<20)...)
		for _, c := range []struct {
			what, ct string
			data     []byte
			status   []int
			field    string
		}{
			{"a PNG declared as a PDF", "application/pdf", pngData, []int{http.StatusUnprocessableEntity}, "content_type"},
			{"a PDF declared as a PNG", "image/png", pdfData, []int{http.StatusUnprocessableEntity}, "content_type"},
			{"an executable", "application/x-msdownload", []byte("MZ\x90\x00"), []int{http.StatusUnprocessableEntity}, "content_type"},
			{"an empty file", "application/pdf", []byte{}, []int{http.StatusUnprocessableEntity, http.StatusBadRequest}, "file"},
			{"a file over 10 MiB", "application/pdf", big, []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}, "file"},
		} {
			before := e.Snapshot()
			r := upload("x.pdf", c.ct, c.data)
			ok := false
			for _, s := range c.status {
				ok = ok || r.Status == s
			}
			if !ok {
				t.Errorf("%s: %d, want %v; %s", c.what, r.Status, c.status, accShort(r.Body))
			} else {
				p := accWantProblem(t, r, r.Status, map[int]string{413: "invalid", 422: "invalid", 400: "invalid"}[r.Status])
				// (An empty body is refused by the framework as a missing body.)
				if p.Field != c.field && !(c.what == "an empty file" && p.Field == "body") {
					t.Errorf("%s: field %q, want %q (%s)", c.what, p.Field, c.field, r.Body)
				}
				if c.field == "file" && r.Status == http.StatusRequestEntityTooLarge && !strings.Contains(p.Detail, "10 MiB") {
					t.Errorf("%s: detail %q does not give the 10 MiB limit", c.what, p.Detail)
				}
			}
			accUnchanged(t, e, c.what, before)
		}
		// A file of exactly 10 MiB is accepted.
		exact := big[:10<<20]
		if r := upload("exact.pdf", "application/pdf", exact); r.Status != http.StatusCreated {
			t.Errorf("a file of exactly 10 MiB: %d %s", r.Status, accShort(r.Body))
		} else {
			var a att
			r.JSON(t, &a)
			ids["exact.pdf"] = a.ID
		}
		// Roles: reading needs invoices.read, writing invoices.write.
		accWantProblem(t, accDo(t, e, http.MethodPost, base+"?filename=a.pdf", e.A.Keys[access.Sales], pdfData, "Content-Type", "application/pdf"), http.StatusForbidden, "forbidden")
		accWantProblem(t, accDo(t, e, http.MethodGet, base, e.A.Keys[access.Engineer], nil), http.StatusForbidden, "forbidden")

		// Delete on a draft; 409 once issued, and the file stays.
		if r := accDo(t, e, http.MethodDelete, base+"/"+ids["exact.pdf"], fin, nil); r.Status != http.StatusNoContent {
			t.Errorf("delete on a draft: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, base+"/"+ids["exact.pdf"], fin, nil), http.StatusNotFound, "not_found")
		accStatus(t, e, fin, inv.ID, map[string]any{"status": "open"})
		before := e.Snapshot()
		accWantProblem(t, accDo(t, e, http.MethodDelete, base+"/"+ids["logo.png"], fin, nil), http.StatusConflict, "conflict")
		accUnchanged(t, e, "delete after issue", before)
		if r := accDo(t, e, http.MethodGet, base+"/"+ids["logo.png"], fin, nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, pngData) {
			t.Errorf("the issued invoice's attachment: %d, %d bytes", r.Status, len(r.Body))
		}
		// Another tenant's key finds nothing.
		r := accDo(t, e, http.MethodGet, base+"/"+ids["logo.png"], e.B.Keys[access.Administrator], nil)
		accWantProblem(t, r, http.StatusNotFound, "not_found")
	})
}

// TestRecurringTemplates: a template is created and paused over HTTP; a
// paused template makes nothing, an active one its period's draft.
func TestRecurringTemplates(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fin := e.A.Keys[access.Finance]
		today := accToday(e)
		type tpl struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			CustomerID string `json:"customer_id"`
			Interval   string `json:"interval"`
			StartDate  string `json:"start_date"`
			NextDate   string `json:"next_date"`
			Status     string `json:"status"`
			Currency   string `json:"currency"`
			Lines      []struct {
				Description string `json:"description"`
			} `json:"lines"`
		}
		body := map[string]any{"name": "Managed backup", "customer_id": e.A.Customer, "interval": "monthly", "start_date": today.String(),
			"invoice": map[string]any{"lines": []any{map[string]any{"description": "Backup 100 GB", "quantity": "1", "unit_price": "25.00"}}}}
		r := accDo(t, e, http.MethodPost, "/api/v1/recurring-invoices", fin, body)
		if r.Status != http.StatusCreated {
			t.Fatalf("create template: %d %s", r.Status, r.Body)
		}
		var created tpl
		r.JSON(t, &created)
		if created.ID == "" || created.Status != "active" || created.NextDate != today.String() || created.Currency != "EUR" ||
			len(created.Lines) != 1 || created.Lines[0].Description != "Backup 100 GB" {
			t.Errorf("created template: %+v", created)
		}
		path := "/api/v1/recurring-invoices/" + created.ID

		// Bad input writes nothing.
		for _, bad := range []map[string]any{
			{"name": "No lines", "customer_id": e.A.Customer, "interval": "monthly", "start_date": today.String()},
			{"name": "Unknown customer", "customer_id": "cus_0000000000000000000000000z", "interval": "monthly", "start_date": today.String(),
				"invoice": body["invoice"]},
		} {
			before := e.Snapshot()
			r := accDo(t, e, http.MethodPost, "/api/v1/recurring-invoices", fin, bad)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("create %v: %d %s, want 422", bad["name"], r.Status, r.Body)
			}
			accUnchanged(t, e, fmt.Sprint("create ", bad["name"]), before)
		}

		// Pause: nothing is made.
		r = accDo(t, e, http.MethodPatch, path, fin, map[string]any{"status": "paused"})
		var got tpl
		if r.Status != http.StatusOK {
			t.Fatalf("pause: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &got)
		if got.Status != "paused" {
			t.Errorf("paused template: %+v", got)
		}
		accDo(t, e, http.MethodGet, path, e.A.Keys[access.Sales], nil).JSON(t, &got)
		if got.Status != "paused" || got.Name != "Managed backup" {
			t.Errorf("GET paused template: %+v", got)
		}
		ctx := context.Background()
		if n, err := e.Svc.RunRecurring(ctx, e.A.ID); err != nil || n != 0 {
			t.Errorf("run recurring with the template paused: %d, %v; want 0", n, err)
		}
		// Resume: this period's draft is made once.
		if r := accDo(t, e, http.MethodPatch, path, fin, map[string]any{"status": "active"}); r.Status != http.StatusOK {
			t.Fatalf("resume: %d %s", r.Status, r.Body)
		}
		for i, want := range []int{1, 0} {
			if n, err := e.Svc.RunRecurring(ctx, e.A.ID); err != nil || n != want {
				t.Errorf("run recurring #%d: %d, %v; want %d", i+1, n, err, want)
			}
		}
		accDo(t, e, http.MethodGet, path, fin, nil).JSON(t, &got)
		if got.NextDate != today.AddMonths(1).String() {
			t.Errorf("next date after a run: %s, want %s", got.NextDate, today.AddMonths(1))
		}
		var list accList[tpl]
		accDo(t, e, http.MethodGet, "/api/v1/recurring-invoices", fin, nil).JSON(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != created.ID {
			t.Errorf("templates: %+v", list.Data)
		}
		// End it: it cannot be restarted.
		if r := accDo(t, e, http.MethodPatch, path, fin, map[string]any{"status": "ended"}); r.Status != http.StatusOK {
			t.Fatalf("end: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodPatch, path, fin, map[string]any{"status": "active"}), http.StatusUnprocessableEntity, "invalid")
	})
}
