package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// salesItemCount counts tenant A's sales items through the service.
func salesItemCount(t *testing.T, e *testserver.Env) int {
	t.Helper()
	page, err := e.Svc.ListSalesItems(context.Background(), access.System(e.A.ID, "test"), service.SalesItemFilter{Page: service.Page{Limit: service.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

// TestSalesItemCreateHTTP (issue 16, seed 002): adding a sales item by
// hand from the console. Bad input answers 422 naming the field at its
// control, in the reader's language, keeps what was typed and writes
// nothing; the engineer role may not add items; a good form adds one.
func TestSalesItemCreateHTTP(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e := testserver.New(t, engine)
			ctx := context.Background()
			sys := access.System(e.A.ID, "test")
			for email, role := range map[string]string{"sales@a.test": "sales", "eng@a.test": "engineer"} {
				if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: email, Name: role, Role: role, Password: testPassword, Language: "es"}); err != nil {
					t.Fatal(err)
				}
			}
			c := newClient(t, e)
			c.login("sales@a.test")
			code, _, body := c.do(http.MethodGet, "/console/sales-items/new", nil)
			if code != http.StatusOK || !strings.Contains(body, `id="item-form"`) || !strings.Contains(body, e.A.Customer) {
				t.Fatalf("new item form: %d\n%s", code, body)
			}
			before := salesItemCount(t, e)
			bad := url.Values{"customer_id": {e.A.Customer}, "description": {"Instalación de red"}, "quantity": {"2"}, "unit_price": {"doce"},
				"billing_date": {"2025-11-10"}, "provider": {"Nimbus"}}
			code, _, body = c.do(http.MethodPost, "/console/sales-items", bad)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("bad unit price: %d, want 422\n%s", code, body)
			}
			if !strings.Contains(body, `data-field="unit_price"`) || !strings.Contains(body, `id="it-unit-price" name="unit_price" value="doce"`) {
				t.Errorf("the error is not at the unit price, or the typed value is lost:\n%s", body)
			}
			if !strings.Contains(body, `value="Instalación de red"`) || !strings.Contains(body, `value="Nimbus"`) {
				t.Error("the other typed values are lost")
			}
			if n := salesItemCount(t, e); n != before {
				t.Fatalf("a refused form wrote %d items", n-before)
			}
			noCustomer := url.Values{"description": {"Sin cliente"}, "quantity": {"1"}, "unit_price": {"10"}, "billing_date": {"2025-11-10"}}
			if code, _, body = c.do(http.MethodPost, "/console/sales-items", noCustomer); code != http.StatusUnprocessableEntity ||
				!strings.Contains(body, `<small class="field-err" id="it-customer-err" data-field="customer_id">es obligatorio</small>`) {
				t.Fatalf("without a customer: %d, want 422 with the Spanish message at the customer\n%s", code, body)
			}

			eng := newClient(t, e)
			eng.login("eng@a.test")
			good := url.Values{"customer_id": {e.A.Customer}, "description": {"Network install"}, "quantity": {"2"}, "unit_price": {"12.50"},
				"billing_date": {"2025-11-10"}, "provider": {"Nimbus"}}
			if code, _, _ = eng.do(http.MethodPost, "/console/sales-items", good); code != http.StatusForbidden {
				t.Errorf("engineer adding an item: %d, want 403", code)
			}
			if n := salesItemCount(t, e); n != before {
				t.Fatal("the engineer's form wrote an item")
			}

			code, hdr, body := c.do(http.MethodPost, "/console/sales-items", good)
			if code != http.StatusSeeOther {
				t.Fatalf("good form: %d\n%s", code, body)
			}
			if n := salesItemCount(t, e); n != before+1 {
				t.Fatalf("%d items after adding one to %d", n, before)
			}
			_, _, body = c.do(http.MethodGet, hdr.Get("Location"), nil)
			if !strings.Contains(body, "Network install") || !strings.Contains(body, "25,00") {
				t.Errorf("the list after adding does not show the item with its total:\n%s", body)
			}
		})
	}
}

// TestSalesItemListFiltersHTTP (issue 16): the advanced filter's form
// rows build the service's condition; a bad value is a 422 at its row;
// the customer filter takes a number or a name.
func TestSalesItemListFiltersHTTP(t *testing.T) {
	t.Parallel()
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite))
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "admin@a.test", Name: "admin", Role: "administrator", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	add := func(customer, desc, price, provider string) {
		if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &customer, Description: ptr(desc), Quantity: ptr("1"),
			UnitPrice: ptr(price), Provider: ptr(provider)}); err != nil {
			t.Fatal(err)
		}
	}
	add(e.A.Customer, "Alpha big Azure", "500", "Azure")
	add(e.A.Customer, "Alpha small Azure", "5", "Azure")
	add(e.A.Other, "Beta AWS", "7", "AWS")
	add(e.A.Other, "Beta big GCP", "900", "GCP")
	c := newClient(t, e)
	c.login("admin@a.test")
	rows := func(body string) []string {
		var out []string
		for _, d := range []string{"Alpha big Azure", "Alpha small Azure", "Beta AWS", "Beta big GCP"} {
			if strings.Contains(body, "<td>"+d+"</td>") {
				out = append(out, d)
			}
		}
		return out
	}
	// (gross > 100 and provider = Azure) or provider = AWS
	q := url.Values{"adv": {"or"}, "adv.g0": {"and"}, "adv.g0.r0.f": {"gross"}, "adv.g0.r0.o": {"gt"}, "adv.g0.r0.v": {"100"},
		"adv.g0.r1.f": {"provider"}, "adv.g0.r1.o": {"eq"}, "adv.g0.r1.v": {"Azure"},
		"adv.g1": {"and"}, "adv.g1.r0.f": {"provider"}, "adv.g1.r0.o": {"eq"}, "adv.g1.r0.v": {"AWS"}}
	code, _, body := c.do(http.MethodGet, "/console/sales-items?"+q.Encode(), nil)
	if got := strings.Join(rows(body), "|"); code != http.StatusOK || got != "Alpha big Azure|Beta AWS" {
		t.Fatalf("advanced filter: %d, rows %q\n%s", code, got, body)
	}
	if !strings.Contains(body, `id="adv-built"`) || !strings.Contains(body, `(Total is greater than &#34;100&#34; and Provider is &#34;Azure&#34;) or Provider is &#34;AWS&#34;`) {
		t.Errorf("the built filter is not shown again:\n%s", body)
	}
	// The add-row button adds an empty row to its group; the filter stays.
	q.Set("adv_do", "row:1")
	_, _, body = c.do(http.MethodGet, "/console/sales-items?"+q.Encode(), nil)
	if !strings.Contains(body, `id="adv-g1-r1-f"`) || strings.Join(rows(body), "|") != "Alpha big Azure|Beta AWS" {
		t.Errorf("adding a row: no row 1 in group 1, or the filter changed")
	}
	q.Set("adv_do", "del:0.0") // drop gross > 100: every Azure item or AWS
	_, _, body = c.do(http.MethodGet, "/console/sales-items?"+q.Encode(), nil)
	if got := strings.Join(rows(body), "|"); got != "Alpha big Azure|Alpha small Azure|Beta AWS" {
		t.Errorf("after removing a row: %q", got)
	}
	q.Del("adv_do")
	q.Set("adv.g1.r0.f", "gross")
	q.Set("adv.g1.r0.v", "lots")
	code, _, body = c.do(http.MethodGet, "/console/sales-items?"+q.Encode(), nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="adv-g1-r0-v-err" data-field="filter.conditions[1].conditions[0].value"`) ||
		!strings.Contains(body, `value="lots"`) {
		t.Errorf("a bad value: %d, want 422 with the error at its row\n%s", code, body)
	}

	// Customer filter by number, by name; text search.
	other, err := e.Svc.GetCustomer(ctx, sys, e.A.Other)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{other.Number, other.Name} {
		_, _, body = c.do(http.MethodGet, "/console/sales-items?"+url.Values{"customer": {ref}}.Encode(), nil)
		if got := strings.Join(rows(body), "|"); got != "Beta AWS|Beta big GCP" {
			t.Errorf("customer %q: rows %q", ref, got)
		}
	}
	if code, _, body = c.do(http.MethodGet, "/console/sales-items?customer=nobody-at-all", nil); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `data-field="customer"`) {
		t.Errorf("an unknown customer: %d, want 422 at the customer field", code)
	}
	_, _, body = c.do(http.MethodGet, "/console/sales-items?q=BIG", nil)
	if got := strings.Join(rows(body), "|"); got != "Alpha big Azure|Beta big GCP" {
		t.Errorf("search: rows %q", got)
	}
}

// TestUsageImportHTTP (issue 16): a CSV of usage uploaded on the sales
// items page is imported; the page shows the counts and each rejected
// row with its line and reason in the reader's language.
func TestUsageImportHTTP(t *testing.T) {
	t.Parallel()
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite))
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	for email, role := range map[string]string{"fin@a.test": "finance", "eng@a.test": "engineer"} {
		if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: email, Name: role, Role: role, Password: testPassword, Language: "pt-BR"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Svc.CreateProduct(ctx, sys, service.ProductInput{Code: ptr("BKP-GB"), Name: ptr("Backup GB"), ChargeType: ptr("usage"), DefaultPrice: ptr("0.10")}); err != nil {
		t.Fatal(err)
	}
	cust, err := e.Svc.GetCustomer(ctx, sys, e.A.Customer)
	if err != nil {
		t.Fatal(err)
	}
	csv := "record_id,customer,sku,quantity,unit,period_start,period_end\n" +
		"r1," + cust.Number + ",BKP-GB,120,GB,2025-11-01,2025-11-30\n" +
		"r2,NOPE-1,BKP-GB,5,GB,2025-11-01,2025-11-30\n" +
		"r3," + cust.Number + ",NOSKU,5,GB,2025-11-01,2025-11-30\n" +
		"r4," + cust.Number + ",BKP-GB,5,GB,yesterday,2025-11-30\n"
	upload := func(c *client, content string) (int, string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "usage.csv")
		_, _ = fw.Write([]byte(content))
		_ = mw.Close()
		req, err := http.NewRequest(http.MethodPost, c.base+"/console/sales-items/usage", &buf)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	fin := newClient(t, e)
	fin.login("fin@a.test")
	before := salesItemCount(t, e)
	code, body := upload(fin, csv)
	if code != http.StatusOK {
		t.Fatalf("import: %d\n%s", code, body)
	}
	if !strings.Contains(body, "Importados: 1 · já importados: 0 · rejeitados: 3") {
		t.Errorf("no counts in Portuguese:\n%s", body)
	}
	for _, want := range []string{`<td class="num">3</td><td>r2</td><td>nenhum cliente com número ou ID SAP &#34;NOPE-1&#34;</td>`,
		`<td class="num">4</td><td>r3</td><td>nenhum produto com código &#34;NOSKU&#34;</td>`,
		`<td class="num">5</td><td>r4</td><td>period_start e period_end devem ser datas como 2026-01-31</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("rejected row missing: %s", want)
		}
	}
	if n := salesItemCount(t, e); n != before+1 {
		t.Errorf("%d items imported, want 1", n-before)
	}
	if code, body = upload(fin, csv); !strings.Contains(body, "Importados: 0 · já importados: 1 · rejeitados: 3") {
		t.Errorf("importing again: %d, counts wrong:\n%s", code, body)
	}
	if code, body = upload(fin, "no,header\n"); code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="file"`) {
		t.Errorf("a file without the header: %d, want 422 at the file field\n%s", code, body)
	}
	eng := newClient(t, e)
	eng.login("eng@a.test")
	if code, _ = upload(eng, csv); code != http.StatusForbidden {
		t.Errorf("engineer importing: %d, want 403", code)
	}
	if n := salesItemCount(t, e); n != before+1 {
		t.Errorf("refused imports wrote items")
	}
}

// TestBillingRunProgressHTTP (issue 16): a run started from the console
// shows its progress while it runs (the section polls itself through
// htmx) and keeps showing it, with how long it took, once it is done.
func TestBillingRunProgressHTTP(t *testing.T) {
	t.Parallel()
	reached, release := make(chan struct{}), make(chan struct{})
	var groups atomic.Int32
	hook := func(point string) error {
		// Hold the run before its second batch: one is billed, one is not.
		if point == "group" && groups.Add(1) == 2 {
			close(reached)
			<-release
		}
		return nil
	}
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite), service.WithFaultHook(hook), service.WithBillingBatch(1))
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	day := calendar.New(2025, 11, 10)
	for _, cu := range []string{e.A.Customer, e.A.Other} {
		if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &cu, Description: ptr("Support"), Quantity: ptr("1"),
			UnitPrice: ptr("10"), BillingDate: &day, Provider: ptr("Nimbus")}); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t, e)
	c.login("fm@a.test")
	started := make(chan string, 1)
	go func() {
		code, hdr, body := c.do(http.MethodPost, "/console/billing-runs", url.Values{"from": {"2025-11-01"}, "to": {"2025-11-30"}})
		if code != http.StatusSeeOther {
			t.Errorf("start: %d %s", code, body)
		}
		started <- hdr.Get("Location")
	}()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the run never reached its second batch")
	}
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	page := <-started
	if !strings.HasPrefix(page, "/console/billing-runs/") {
		t.Fatalf("start went to %q, want the run's page", page)
	}
	code, _, body := c.do(http.MethodGet, page, nil)
	if code != http.StatusOK || !strings.Contains(body, `hx-trigger="every 1s"`) || !strings.Contains(body, `<span id="run-items">1 / 2</span>`) ||
		!strings.Contains(body, "Running for") {
		t.Fatalf("a running run's page: %d, want it polling with 1 of 2 items done\n%s", code, body)
	}
	_, _, frag := c.do(http.MethodGet, page, nil, "HX-Request", "true")
	if !strings.HasPrefix(strings.TrimSpace(frag), `<section id="run-progress"`) || !strings.Contains(frag, `hx-trigger="every 1s"`) {
		t.Fatalf("the poll answers no progress section that polls again:\n%s", frag)
	}
	close(release)
	id := strings.TrimPrefix(page, "/console/billing-runs/")
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		run, err := e.Svc.GetBillingRun(ctx, sys, id)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != "running" {
			break
		}
		select {
		case <-deadline:
			t.Fatal("the run never finished")
		case <-tick.C:
		}
	}
	_, _, frag = c.do(http.MethodGet, page, nil, "HX-Request", "true")
	if strings.Contains(frag, "hx-trigger") || !strings.Contains(frag, `<span id="run-items">2 / 2</span>`) || !strings.Contains(frag, "Took ") ||
		!strings.Contains(frag, `value="100"`) {
		t.Fatalf("a finished run's progress: want it shown at 100 %% with its duration, no longer polling\n%s", frag)
	}
}

// TestUsageImportProgressHTTP (issue 16): a usage file longer than one
// batch sends the browser to its import's page, which shows the progress and
// polls itself while the import runs, then the counts and rejected rows once
// it is done; another tenant's staff cannot open it.
func TestUsageImportProgressHTTP(t *testing.T) {
	t.Parallel()
	reached, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var once sync.Once
	hook := func(point string) error {
		switch point {
		case "usage_batch": // hold the import before its second batch
			once.Do(func() {
				close(reached)
				<-release
			})
		case "usage_done":
			close(finished)
		}
		return nil
	}
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite), service.WithFaultHook(hook))
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fin@a.test", Name: "Fin", Role: "finance", Password: testPassword, Language: "es"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateUser(ctx, access.System(e.B.ID, "test"), service.NewUser{Email: "fin@b.test", Name: "Fin B", Role: "finance", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateProduct(ctx, sys, service.ProductInput{Code: ptr("BKP-GB"), Name: ptr("Backup GB"), ChargeType: ptr("usage"), DefaultPrice: ptr("0.10")}); err != nil {
		t.Fatal(err)
	}
	cust, err := e.Svc.GetCustomer(ctx, sys, e.A.Customer)
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("record_id,customer,sku,quantity,unit,period_start,period_end\n")
	for i := range 600 {
		sku := "BKP-GB"
		if i == 550 {
			sku = "NOSKU"
		}
		fmt.Fprintf(&csv, "r%d,%s,%s,1,GB,2025-11-01,2025-11-30\n", i, cust.Number, sku)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "usage.csv")
	_, _ = fw.Write([]byte(csv.String()))
	_ = mw.Close()
	fin := newClient(t, e)
	fin.login("fin@a.test")
	req, err := http.NewRequest(http.MethodPost, fin.base+"/console/sales-items/usage", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := fin.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	page := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page, "/console/sales-items/imports/uim_") {
		t.Fatalf("a long import: %d to %q, want its progress page", resp.StatusCode, page)
	}
	<-reached
	_, _, body := fin.do(http.MethodGet, page, nil)
	if !strings.Contains(body, `id="import-rows">500 / 600`) || !strings.Contains(body, `hx-trigger="every 1s"`) || !strings.Contains(body, "Importando…") {
		t.Errorf("while importing, the page does not show 500 of 600 rows and poll:\n%.3000s", body)
	}
	close(release)
	<-finished
	_, _, body = fin.do(http.MethodGet, page, nil, "HX-Request", "true")
	if !strings.Contains(body, `id="import-rows">600 / 600`) || strings.Contains(body, "hx-trigger") ||
		!strings.Contains(body, "Importadas: 599 · ya importadas: 0 · rechazadas: 1") || !strings.Contains(body, `<td class="num">552</td><td>r550</td>`) {
		t.Errorf("once done, the page does not show the counts and the rejected row, or still polls:\n%.3000s", body)
	}
	other := newClient(t, e)
	other.login("fin@b.test")
	if code, _, _ := other.do(http.MethodGet, page, nil); code != http.StatusNotFound {
		t.Errorf("another tenant's staff opens the import: %d, want 404", code)
	}
}
