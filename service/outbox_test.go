package service_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/mailpit"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/mailer"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

type mailEnv struct {
	ctx   context.Context
	svc   *service.Service
	clock *clock
	sys   access.Principal
}

func newMailEnv(t *testing.T, db *store.DB, mp *mailpit.Server) *mailEnv {
	t.Helper()
	e := &mailEnv{ctx: context.Background(), clock: newClock()}
	opts := []service.Option{service.WithClock(e.clock.Now), service.WithPortalURL("https://billing.nimbus.example/")}
	if mp != nil {
		m, err := mailer.New(mailer.Config{URL: mp.SMTPURL, From: "Nimbus Billing <billing@nimbus.example>"})
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, service.WithMailer(m))
	}
	e.svc = service.New(db, opts...)
	e.sys, _ = ledgerFixture(t, e.svc, 0)
	return e
}

// customer makes a customer with complete billing information in lang;
// email may be empty.
func (e *mailEnv) customer(t *testing.T, name, email, lang string) billing.Customer {
	t.Helper()
	cur := "EUR"
	c, err := e.svc.CreateCustomer(e.ctx, e.sys, service.CustomerInput{Name: &name, SalesTaxGroup: ptr("DOM"),
		Billing: &service.BillingInput{LegalName: ptr(name + " S.A."), Email: &email, Language: &lang, Currency: &cur,
			Address: &billing.Address{Line1: "Rua 1", City: "Lisboa", Country: "PT"}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// issue creates an invoice for c and issues it, emailing the customer when notify.
func (e *mailEnv) issue(t *testing.T, c billing.Customer, notify bool) billing.Invoice {
	t.Helper()
	lines := []service.LineInput{{Description: "Microsoft 365 — licencias", Quantity: ptr("3"), UnitPrice: ptr("11.70"), ItemSalesTaxGroup: "FULL"}}
	inv, err := e.svc.CreateInvoice(e.ctx, e.sys, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.UpdateInvoiceStatus(e.ctx, e.sys, inv.ID, service.StatusChange{Status: "open", Notify: &notify})
	if err != nil {
		t.Fatal(err)
	}
	return res.Invoice
}

func (e *mailEnv) outbox(t *testing.T, status string) []service.Notification {
	t.Helper()
	page, err := e.svc.ListOutbox(e.ctx, e.sys, service.OutboxFilter{Status: status, Page: service.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// TestEmailOverSMTP sends invoice emails to a real SMTP server and reads
// them back: recipients, the subject in each customer's language, the PDF
// attached, nothing for notify=false, and a skipped message for a customer
// without a billing email that goes out once the email is added.
func TestEmailOverSMTP(t *testing.T) {
	mp := mailpit.Start(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		mp.Clear()
		e := newMailEnv(t, db, mp)
		en := e.customer(t, "Ana Smith", "ana@example.com", "en")
		es := e.customer(t, "Núñez Hermanos", "nunez@example.es", "es")
		pt := e.customer(t, "Conceição Ltda", "conceicao@example.com.br", "pt-BR")
		none := e.customer(t, "Sin Correo", "", "es")
		invEN, invES, invPT := e.issue(t, en, true), e.issue(t, es, true), e.issue(t, pt, true)
		quiet := e.issue(t, en, false) // seed 000: publishing without notify sends nothing
		invNone := e.issue(t, none, true)
		// A later status change with the default notify (on for issued documents).
		if _, err := e.svc.UpdateInvoiceStatus(e.ctx, e.sys, invES.ID, service.StatusChange{Status: "void", Reason: "duplicado"}); err != nil {
			t.Fatal(err)
		}

		queued := e.outbox(t, service.NotificationQueued)
		if len(queued) != 4 {
			t.Fatalf("%d queued messages, want 4 (three published, one status change): %+v", len(queued), queued)
		}
		skipped := e.outbox(t, service.NotificationSkipped)
		if len(skipped) != 1 || skipped[0].TargetID != invNone.ID || !strings.Contains(skipped[0].LastError, "no billing email") {
			t.Fatalf("skipped = %+v, want the invoice of the customer without an email, with the reason", skipped)
		}
		// Readable before it is sent, rendered in the customer's language.
		var esPublished service.Notification
		for _, n := range queued {
			if n.TargetID == invES.ID && n.Kind == "invoice.published" {
				esPublished = n
			}
		}
		msg, err := e.svc.GetOutboxMessage(e.ctx, e.sys, esPublished.ID)
		if err != nil {
			t.Fatal(err)
		}
		if msg.Rendered.Subject != "Factura "+invES.Number+" de Ledger Test" || len(msg.Attachments) != 1 ||
			!strings.Contains(msg.Rendered.Text, "https://billing.nimbus.example/portal/invoices/"+invES.ID) {
			t.Fatalf("rendered message: %+v", msg)
		}

		run, err := e.svc.SendDueEmails(e.ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if run.Sent != 4 || run.Claimed != 4 {
			t.Fatalf("run %+v, want 4 sent", run)
		}
		got := map[string][]mailpit.Summary{}
		for _, m := range mp.Messages() {
			for _, to := range m.To {
				got[to.Address] = append(got[to.Address], m)
			}
		}
		if len(got) != 3 || len(got["ana@example.com"]) != 1 || len(got["nunez@example.es"]) != 2 || len(got["conceicao@example.com.br"]) != 1 {
			t.Fatalf("recipients: %+v", got)
		}
		wantSubjects := map[string][]string{
			"ana@example.com":          {"Invoice " + invEN.Number + " from Ledger Test"},
			"nunez@example.es":         {"Factura " + invES.Number + " de Ledger Test", "La factura " + invES.Number + " ahora está Anulada"},
			"conceicao@example.com.br": {"Fatura " + invPT.Number + " de Ledger Test"},
		}
		for addr, want := range wantSubjects {
			var subjects []string
			for _, m := range got[addr] {
				subjects = append(subjects, m.Subject)
				if strings.Contains(m.Subject, quiet.Number) {
					t.Errorf("an email about %s, published with notify=false", quiet.Number)
				}
				full := mp.Message(m.ID)
				if full.From.Address != "billing@nimbus.example" {
					t.Errorf("from %+v", full.From)
				}
				published := !strings.Contains(m.Subject, "Anulada")
				if published != (len(full.Attachments) == 1) {
					t.Errorf("%q has %d attachments", m.Subject, len(full.Attachments))
				}
				if published {
					a := full.Attachments[0]
					if !strings.HasSuffix(a.FileName, ".pdf") || a.ContentType != "application/pdf" ||
						!strings.HasPrefix(string(mp.Attachment(m.ID, a.PartID)), "%PDF") || a.Size < 2000 {
						t.Errorf("attachment %+v", a)
					}
					if text := pdfText(t, mp.Attachment(m.ID, a.PartID)); text != "" && !strings.Contains(text, strings.Fields(m.Subject)[1]) {
						t.Errorf("the attached PDF does not show %s: %q", strings.Fields(m.Subject)[1], text)
					}
					if !strings.Contains(full.Text, "https://billing.nimbus.example/portal/invoices/") {
						t.Errorf("no portal link in %q", full.Text)
					}
				}
			}
			slices.Sort(subjects)
			slices.Sort(want)
			if !slices.Equal(subjects, want) {
				t.Errorf("%s: subjects %q, want %q", addr, subjects, want)
			}
		}
		if n := len(e.outbox(t, service.NotificationSent)); n != 4 {
			t.Errorf("%d sent in the outbox, want 4", n)
		}

		// The skipped message: retrying without an email is refused; with one, it goes.
		if _, err := e.svc.RetryNotification(e.ctx, e.sys, skipped[0].ID); !fail.Is(err, fail.Conflict) {
			t.Fatalf("retry without a recipient: %v", err)
		}
		if _, err := e.svc.UpdateCustomer(e.ctx, e.sys, none.ID, service.CustomerInput{Billing: &service.BillingInput{Email: ptr("late@example.es")}}); err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.RetryNotification(e.ctx, e.sys, skipped[0].ID)
		if err != nil || n.Recipient != "late@example.es" || n.Status != service.NotificationQueued {
			t.Fatalf("retry: %+v, %v", n, err)
		}
		if run, err := e.svc.SendDueEmails(e.ctx, 0); err != nil || run.Sent != 1 {
			t.Fatalf("send after retry: %+v, %v", run, err)
		}
		found := false
		for _, m := range mp.Messages() {
			found = found || (len(m.To) == 1 && m.To[0].Address == "late@example.es" && m.Subject == "Factura "+invNone.Number+" de Ledger Test")
		}
		if !found {
			t.Error("the retried message did not arrive")
		}
	})
}

// pdfText extracts a PDF's text with pdftotext, or returns "" when it is
// not installed (outside CI).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed")
		}
		return ""
	}
	path := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestEmailRetryAfterSMTPFailure: the SMTP server refuses (451), the
// message waits with backoff and goes once the server accepts; after
// MaxEmailAttempts failures it is failed, and a retry by staff sends it.
func TestEmailRetryAfterSMTPFailure(t *testing.T) {
	mp := mailpit.Start(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		mp.Clear()
		e := newMailEnv(t, db, mp)
		c := e.customer(t, "Ana Smith", "ana@example.com", "en")
		e.issue(t, c, true)
		mp.FailSMTP(true)
		run, err := e.svc.SendDueEmails(e.ctx, 0)
		if err != nil || run.Retrying != 1 {
			t.Fatalf("first attempt: %+v, %v", run, err)
		}
		q := e.outbox(t, service.NotificationQueued)
		if len(q) != 1 || q[0].Attempts != 1 || !strings.Contains(q[0].LastError, "451") || q[0].NextAttemptAt == nil {
			t.Fatalf("after a failure: %+v", q)
		}
		if run, _ := e.svc.SendDueEmails(e.ctx, 0); run.Claimed != 0 {
			t.Fatalf("claimed %d before the backoff passed", run.Claimed)
		}
		mp.FailSMTP(false)
		e.clock.Advance(time.Minute)
		if run, err := e.svc.SendDueEmails(e.ctx, 0); err != nil || run.Sent != 1 {
			t.Fatalf("after the backoff: %+v, %v", run, err)
		}
		if n := len(mp.Messages()); n != 1 {
			t.Fatalf("%d messages in mailpit, want 1", n)
		}

		// Every attempt fails: failed after MaxEmailAttempts.
		e.issue(t, c, true)
		mp.FailSMTP(true)
		for i := range service.MaxEmailAttempts {
			run, err := e.svc.SendDueEmails(e.ctx, 0)
			if err != nil || run.Claimed != 1 {
				t.Fatalf("attempt %d: %+v, %v", i+1, run, err)
			}
			e.clock.Advance(7 * time.Hour)
		}
		failed := e.outbox(t, service.NotificationFailed)
		if len(failed) != 1 || failed[0].Attempts != service.MaxEmailAttempts {
			t.Fatalf("failed: %+v", failed)
		}
		finance := access.Principal{TenantID: e.sys.TenantID, UserID: "usr_fin", Role: access.Finance, Name: "Finn"}
		manager := access.Principal{TenantID: e.sys.TenantID, UserID: "usr_mgr", Role: access.FinanceManager, Name: "Fernanda"}
		if _, err := e.svc.RetryNotification(e.ctx, finance, failed[0].ID); !fail.Is(err, fail.Forbidden) {
			t.Fatalf("finance retried: %v", err)
		}
		if _, err := e.svc.ListOutbox(e.ctx, finance, service.OutboxFilter{}); !fail.Is(err, fail.Forbidden) {
			t.Fatalf("finance read the outbox: %v", err)
		}
		if _, err := e.svc.RetryNotification(e.ctx, manager, failed[0].ID); err != nil {
			t.Fatal(err)
		}
		mp.FailSMTP(false)
		if run, err := e.svc.SendDueEmails(e.ctx, 0); err != nil || run.Sent != 1 {
			t.Fatalf("after retry: %+v, %v", run, err)
		}
		if n := len(mp.Messages()); n != 2 {
			t.Fatalf("%d messages in mailpit, want 2", n)
		}
	})
}

// TestEmailWithoutSMTP: with no mailer, messages stay queued and readable.
func TestEmailWithoutSMTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db, nil)
		c := e.customer(t, "Conceição Ltda", "conceicao@example.com.br", "pt-BR")
		inv := e.issue(t, c, true)
		run, err := e.svc.SendDueEmails(e.ctx, 0)
		if err != nil || run.Claimed != 0 {
			t.Fatalf("%+v, %v", run, err)
		}
		q := e.outbox(t, service.NotificationQueued)
		if len(q) != 1 {
			t.Fatalf("queued %+v", q)
		}
		m, err := e.svc.GetOutboxMessage(e.ctx, e.sys, q[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Rendered.Subject != "Fatura "+inv.Number+" de Ledger Test" || m.Rendered.Language != "pt-BR" || !strings.Contains(m.Rendered.HTML, "Conceição") {
			t.Fatalf("rendered %+v", m.Rendered)
		}
		if _, err := e.svc.RetryNotification(e.ctx, e.sys, q[0].ID); !fail.Is(err, fail.Conflict) {
			t.Fatalf("retrying a queued message: %v", err)
		}
		if _, err := e.svc.ListOutbox(e.ctx, e.sys, service.OutboxFilter{Status: "bogus"}); !fail.Is(err, fail.Invalid) {
			t.Fatalf("bad status filter: %v", err)
		}
	})
}

// TestEmailTwoNodes: two nodes send the same outbox at once; every message
// arrives exactly once.
func TestEmailTwoNodes(t *testing.T) {
	mp := mailpit.Start(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		mp.Clear()
		e := newMailEnv(t, db, mp)
		c := e.customer(t, "Ana Smith", "ana@example.com", "en")
		const n = 12
		for range n {
			e.issue(t, c, true)
		}
		other, err := store.Open(e.ctx, store.DSNOf(db))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		m, _ := mailer.New(mailer.Config{URL: mp.SMTPURL, From: "billing@nimbus.example"})
		node2 := service.New(other, service.WithClock(e.clock.Now), service.WithMailer(m))
		var wg sync.WaitGroup
		var mu sync.Mutex
		sent := 0
		for _, svc := range []*service.Service{e.svc, node2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					run, err := svc.SendDueEmails(e.ctx, 3)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					sent += run.Sent
					mu.Unlock()
					if run.Claimed == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if sent != n {
			t.Fatalf("sent %d, want %d", sent, n)
		}
		subjects := map[string]int{}
		for _, m := range mp.Messages() {
			subjects[m.Subject]++
		}
		if len(subjects) != n {
			t.Fatalf("%d distinct messages arrived, want %d: %v", len(subjects), n, subjects)
		}
		for s, k := range subjects {
			if k != 1 {
				t.Errorf("%q arrived %d times", s, k)
			}
		}
	})
}
