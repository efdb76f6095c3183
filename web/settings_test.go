package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// upload posts a multipart form with one file field.
func (c *client) upload(path, field, filename string, data []byte) (int, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

// testPNG is a small real PNG image.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 12))
	for x := range 24 {
		for y := range 12 {
			img.Set(x, y, color.RGBA{R: 31, G: 78, B: 121, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSettingsForms checks each settings form: a success changes the stored
// value, bad input re-renders the page with a 4xx naming the field and
// writes nothing, and a role without the permission gets 403.
func TestSettingsForms(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	users := map[string]access.User{}
	for _, u := range []service.NewUser{
		{Email: "admin@a.test", Name: "Ada", Role: "administrator", Password: testPassword},
		{Email: "dir@a.test", Name: "Dirk", Role: "director", Password: testPassword},
		{Email: "sales@a.test", Name: "Sam", Role: "sales", Password: testPassword},
	} {
		got, err := e.Svc.CreateUser(ctx, sys, u)
		if err != nil {
			t.Fatal(err)
		}
		users[u.Email] = got
	}
	admin, director := newClient(t, e), newClient(t, e)
	admin.login("admin@a.test")
	director.login("dir@a.test")

	// bad checks a refused post: the status, the page re-rendered with the
	// field named, and (by the caller) nothing stored.
	bad := func(t *testing.T, c *client, path string, form url.Values, status int, field string) string {
		t.Helper()
		code, _, body := c.do(http.MethodPost, path, form)
		if code != status {
			t.Errorf("POST %s: %d, want %d", path, code, status)
		}
		// The field's message is at the field, or (for a field the form
		// does not show, such as a path parameter) in the banner.
		if field != "" && (!strings.Contains(body, `id="error"`) || !strings.Contains(body, `data-field="`+field+`"`)) {
			t.Errorf("POST %s: the page does not name the field %s:\n%.2000s", path, field, body)
		}
		return body
	}
	ok := func(t *testing.T, c *client, path string, form url.Values) {
		t.Helper()
		code, h, body := c.do(http.MethodPost, path, form)
		if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/settings?ok=saved") {
			t.Fatalf("POST %s: %d → %q\n%.2000s", path, code, h.Get("Location"), body)
		}
	}
	taxCode := func(code string) (tax.Code, bool) {
		codes, err := e.Svc.ListTaxCodes(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if c.Code == code {
				return c, true
			}
		}
		return tax.Code{}, false
	}

	t.Run("taxes", func(t *testing.T) {
		form := url.Values{"code": {"RED10"}, "name": {"Reduced"}, "rate": {"10"}, "category": {"S"}, "account": {"2100"}}
		ok(t, admin, "/console/settings/taxes", form)
		if c, found := taxCode("RED10"); !found || c.Rate.String() != "10" || c.Name != "Reduced" || c.Category != tax.Standard {
			t.Fatalf("stored %+v (%v)", c, found)
		}
		// The edit link fills the form with the stored code, read-only.
		_, _, page := admin.do(http.MethodGet, "/console/settings?tax=RED10", nil)
		if !strings.Contains(page, `id="tx-code" name="code" value="RED10" readonly`) || !strings.Contains(page, `value="Reduced"`) {
			t.Errorf("the edit form is not filled")
		}
		form.Set("rate", "12,5") // the decimal comma of es and pt-BR
		form.Set("editing", "1")
		ok(t, admin, "/console/settings/taxes", form)
		if c, _ := taxCode("RED10"); c.Rate.String() != "12.5" {
			t.Errorf("edited rate = %s", c.Rate)
		}

		for _, tt := range []struct{ key, value, field string }{
			{"rate", "ten", "rate"},
			{"rate", "140", "rate"},
			{"category", "X", "category"},
			{"name", " ", "name"},
			{"account", "9999", "account"},
		} {
			f := url.Values{"code": {"RED10"}, "name": {"Changed"}, "rate": {"7"}, "category": {"S"}, "account": {"2100"}}
			f.Set(tt.key, tt.value)
			body := bad(t, admin, "/console/settings/taxes", f, http.StatusUnprocessableEntity, tt.field)
			if !strings.Contains(body, `class="field-err" id="tx-`) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("%s=%q: no message beside the field", tt.key, tt.value)
			}
			if tt.key == "rate" && !strings.Contains(body, `value="`+tt.value+`"`) {
				t.Errorf("the form lost the posted rate %q", tt.value)
			}
		}
		if c, _ := taxCode("RED10"); c.Rate.String() != "12.5" || c.Name != "Reduced" {
			t.Errorf("a refused post changed the code: %+v", c)
		}
		bad(t, director, "/console/settings/taxes", url.Values{"code": {"DIR"}, "name": {"Dir"}, "rate": {"5"}, "category": {"S"}, "account": {"2100"}}, http.StatusForbidden, "")
		if _, found := taxCode("DIR"); found {
			t.Errorf("a director created a tax code")
		}
		// The director sees the taxes but no form.
		if _, _, page := director.do(http.MethodGet, "/console/settings", nil); strings.Contains(page, `id="tax-form"`) || !strings.Contains(page, "RED10") {
			t.Errorf("director's settings page: tax form shown or taxes missing")
		}
	})

	t.Run("exchange rates", func(t *testing.T) {
		rates := func() map[string]string {
			rs, err := e.Svc.ListExchangeRates(ctx, sys, service.ExchangeRateFilter{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, r := range rs {
				out[r.Currency+"@"+r.Date.String()] = r.Rate.String()
			}
			return out
		}
		// A director (a ledger role) sets rates; the decimal comma is read.
		ok(t, director, "/console/settings/exchange-rates", url.Values{"currency": {"usd"}, "date": {"2026-10-01"}, "rate": {"0,92"}})
		ok(t, admin, "/console/settings/exchange-rates", url.Values{"currency": {"GBP"}, "date": {"2026-10-01"}, "rate": {"1.17"}})
		if got := rates(); got["USD@2026-10-01"] != "0.92" || got["GBP@2026-10-01"] != "1.17" || len(got) != 2 {
			t.Fatalf("stored rates %v", got)
		}
		_, _, page := director.do(http.MethodGet, "/console/settings?rate=USD@2026-10-01", nil)
		if !strings.Contains(page, `id="rate-USD-2026-10-01"`) || !strings.Contains(page, `id="fx-rate" name="rate" value="0.92"`) {
			t.Errorf("the rate table or the edit form is not shown:\n%.3000s", page)
		}
		for _, tt := range []struct{ key, value, field string }{
			{"rate", "0", "rate"},
			{"rate", "abc", "rate"},
			{"currency", "XYZ", "currency"},
			{"currency", "EUR", "currency"},
			{"date", "2026-02-30", "date"},
		} {
			f := url.Values{"currency": {"USD"}, "date": {"2026-11-01"}, "rate": {"0.93"}}
			f.Set(tt.key, tt.value)
			body := bad(t, director, "/console/settings/exchange-rates", f, http.StatusUnprocessableEntity, tt.field)
			if !strings.Contains(body, `class="field-err" id="fx-`+tt.field+`-err"`) || !strings.Contains(body, `value="`+tt.value+`"`) {
				t.Errorf("%s=%q: no message beside the field, or the posted value is lost", tt.key, tt.value)
			}
		}
		// Sales reads the table, without the form, and may not change it.
		sales := newClient(t, e)
		sales.login("sales@a.test")
		if _, _, page := sales.do(http.MethodGet, "/console/settings", nil); strings.Contains(page, `id="rate-form"`) || !strings.Contains(page, `id="rate-GBP-2026-10-01"`) {
			t.Errorf("sales' settings page: rate form shown or rates missing")
		}
		bad(t, sales, "/console/settings/exchange-rates", url.Values{"currency": {"USD"}, "date": {"2026-12-01"}, "rate": {"1"}}, http.StatusForbidden, "")
		bad(t, sales, "/console/settings/exchange-rates/delete", url.Values{"currency": {"USD"}, "date": {"2026-10-01"}}, http.StatusForbidden, "")
		if got := rates(); len(got) != 2 {
			t.Errorf("refused posts changed the rates: %v", got)
		}
		ok(t, director, "/console/settings/exchange-rates/delete", url.Values{"currency": {"GBP"}, "date": {"2026-10-01"}})
		if got := rates(); len(got) != 1 || got["USD@2026-10-01"] != "0.92" {
			t.Errorf("after delete: %v", got)
		}

		// A CSV file: one bad line imports nothing and is named; a good file imports.
		code, body := director.upload("/console/settings/exchange-rates/csv", "file", "rates.csv", []byte("currency,date,rate\nGBP,2026-11-01,1.18\nCHF,2026-11-01,-1\n"))
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="line 3.rate"`) {
			t.Errorf("bad CSV: %d\n%.3000s", code, body)
		}
		if got := rates(); len(got) != 1 {
			t.Errorf("a refused CSV changed the rates: %v", got)
		}
		code, body = director.upload("/console/settings/exchange-rates/csv", "file", "rates.csv", []byte("currency,date,rate\nGBP,2026-11-01,1.18\nCHF,2026-11-01,0.95\n"))
		if code != http.StatusSeeOther {
			t.Errorf("good CSV: %d\n%.2000s", code, body)
		}
		if got := rates(); len(got) != 3 || got["CHF@2026-11-01"] != "0.95" {
			t.Errorf("after the CSV import: %v", got)
		}
		if code, _ := sales.upload("/console/settings/exchange-rates/csv", "file", "rates.csv", []byte("currency,date,rate\nGBP,2026-12-01,1.18\n")); code != http.StatusForbidden {
			t.Errorf("sales imports rates: %d, want 403", code)
		}

		// A run that skipped a JPY group shows it, with the reason, on its page.
		desc, q, price, day, jpy := "Licences", "1", "1000", calendar.New(2026, 10, 15), "JPY"
		if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &e.A.Other, Description: &desc, Quantity: &q,
			UnitPrice: &price, BillingDate: &day, Currency: &jpy}); err != nil {
			t.Fatal(err)
		}
		run, err := e.Svc.RunBilling(ctx, sys, calendar.New(2026, 10, 1), calendar.New(2026, 10, 31), false, nil, nil)
		if err != nil || len(run.GroupsSkipped) != 1 {
			t.Fatalf("run: %+v, %v", run, err)
		}
		_, _, page = director.do(http.MethodGet, "/console/billing-runs/"+run.ID, nil)
		if !strings.Contains(page, `id="run-skipped"`) || !strings.Contains(page, "no exchange rate for JPY on 2026-10-31") ||
			!strings.Contains(page, `href="/console/settings#exchange-rates"`) {
			t.Errorf("the run page does not show the skipped JPY group:\n%.3000s", page)
		}
		if _, _, page = director.do(http.MethodGet, "/console/billing-runs", nil); !strings.Contains(page, `id="run-skipped-`+run.ID+`"`) {
			t.Errorf("the runs list does not flag the run that skipped a group")
		}
	})

	t.Run("number series", func(t *testing.T) {
		series := func() map[string]string {
			s, err := e.Svc.ListSeries(ctx, sys)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		ok(t, admin, "/console/settings/series/invoice", url.Values{"pattern": {"F{YY}-{SEQ:5}"}})
		if p := series()["invoice"]; p != "F{YY}-{SEQ:5}" {
			t.Fatalf("stored pattern %q", p)
		}
		body := bad(t, admin, "/console/settings/series/credit_note", url.Values{"pattern": {"CN-{YYYY}"}}, http.StatusUnprocessableEntity, "pattern")
		if !strings.Contains(body, `id="series-credit_note-err"`) || !strings.Contains(body, `value="CN-{YYYY}"`) {
			t.Errorf("the series error is not beside its field")
		}
		bad(t, admin, "/console/settings/series/receipt", url.Values{"pattern": {"R-{SEQ}"}}, http.StatusUnprocessableEntity, "kind")
		bad(t, director, "/console/settings/series/invoice", url.Values{"pattern": {"D-{SEQ}"}}, http.StatusForbidden, "")
		if s := series(); s["invoice"] != "F{YY}-{SEQ:5}" || s["credit_note"] != numbering.DefaultSeries["credit_note"] || len(s) != 2 {
			t.Errorf("refused posts changed the series: %v", s)
		}
	})

	t.Run("reason codes", func(t *testing.T) {
		reason := func(code string) (billing.ReasonCode, bool) {
			rs, err := e.Svc.ListReasonCodes(ctx, sys)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.Code == code {
					return r, true
				}
			}
			return billing.ReasonCode{}, false
		}
		ok(t, admin, "/console/settings/reason-codes", url.Values{"code": {"dup"}, "description": {"Duplicate invoice"}})
		if r, found := reason("DUP"); !found || r.Description != "Duplicate invoice" || r.Archived {
			t.Fatalf("stored %+v (%v)", r, found)
		}
		ok(t, admin, "/console/settings/reason-codes", url.Values{"code": {"DUP"}, "description": {"Invoiced twice"}, "archived": {"1"}, "editing": {"1"}})
		if r, _ := reason("DUP"); r.Description != "Invoiced twice" || !r.Archived {
			t.Errorf("edited %+v", r)
		}
		bad(t, admin, "/console/settings/reason-codes", url.Values{"code": {"bad code!"}, "description": {"x"}}, http.StatusUnprocessableEntity, "code")
		bad(t, admin, "/console/settings/reason-codes", url.Values{"code": {"DUP"}, "description": {""}}, http.StatusUnprocessableEntity, "description")
		bad(t, director, "/console/settings/reason-codes", url.Values{"code": {"DIR"}, "description": {"Director's"}}, http.StatusForbidden, "")
		if r, _ := reason("DUP"); r.Description != "Invoiced twice" {
			t.Errorf("a refused post changed DUP: %+v", r)
		}
		if _, found := reason("DIR"); found {
			t.Errorf("a director created a reason code")
		}
	})

	t.Run("users and roles", func(t *testing.T) {
		sam, ada := users["sales@a.test"], users["admin@a.test"]
		get := func(id string) access.User {
			all, err := e.Svc.ListUsers(ctx, sys)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range all {
				if u.ID == id {
					return u
				}
			}
			t.Fatalf("no user %s", id)
			return access.User{}
		}
		base := "/console/settings/users/" + sam.ID
		ok(t, admin, base, url.Values{"role": {"finance"}, "language": {"es"}})
		if u := get(sam.ID); u.Role != access.Finance || u.Language != "es" {
			t.Fatalf("after the role form: %s %s", u.Role, u.Language)
		}
		ok(t, admin, base+"/disabled", url.Values{"disabled": {"1"}})
		if get(sam.ID).DisabledAt == nil {
			t.Errorf("not disabled")
		}
		ok(t, admin, base+"/disabled", url.Values{"disabled": {"0"}})
		if get(sam.ID).DisabledAt != nil {
			t.Errorf("not enabled again")
		}
		ok(t, admin, base+"/password", url.Values{"password": {"a-brand-new-password"}})
		if _, err := e.Svc.Login(ctx, "sales@a.test", "a-brand-new-password", "", "192.0.2.50"); err != nil {
			t.Errorf("sign in with the reset password: %v", err)
		}

		bad(t, admin, base, url.Values{"role": {"owner"}, "language": {"en"}}, http.StatusUnprocessableEntity, "role")
		bad(t, admin, base, url.Values{"role": {"customer"}}, http.StatusUnprocessableEntity, "role")
		bad(t, admin, base, url.Values{"language": {"klingon"}}, http.StatusUnprocessableEntity, "language")
		bad(t, admin, base+"/password", url.Values{"password": {"short"}}, http.StatusUnprocessableEntity, "password")
		bad(t, admin, base+"/disabled", url.Values{"disabled": {"maybe"}}, http.StatusUnprocessableEntity, "disabled")
		if u := get(sam.ID); u.Role != access.Finance || u.Language != "es" || u.DisabledAt != nil {
			t.Errorf("a refused post changed the user: %s %s %v", u.Role, u.Language, u.DisabledAt)
		}
		// An administrator cannot lock itself out.
		bad(t, admin, "/console/settings/users/"+ada.ID+"/disabled", url.Values{"disabled": {"1"}}, http.StatusUnprocessableEntity, "disabled")
		bad(t, admin, "/console/settings/users/"+ada.ID, url.Values{"role": {"director"}}, http.StatusUnprocessableEntity, "role")
		if u := get(ada.ID); u.Role != access.Administrator || u.DisabledAt != nil {
			t.Errorf("the administrator locked itself out: %s %v", u.Role, u.DisabledAt)
		}
		// Its own row offers neither a role change nor a disable button.
		_, _, page := admin.do(http.MethodGet, "/console/settings", nil)
		if !strings.Contains(page, `id="role-`+ada.ID+`" name="role" disabled`) || strings.Contains(page, `id="toggle-user-`+ada.ID+`"`) {
			t.Errorf("own row offers a role change or disabling")
		}
		// A cross-site form post (CSRF) is refused before it reaches the form.
		code, _, _ := admin.do(http.MethodPost, base, url.Values{"role": {"administrator"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if code != http.StatusForbidden || get(sam.ID).Role != access.Finance {
			t.Errorf("cross-site role change: %d, role %s", code, get(sam.ID).Role)
		}
		bad(t, director, base, url.Values{"role": {"administrator"}}, http.StatusForbidden, "")
		bad(t, director, base+"/password", url.Values{"password": {"director-chose-this"}}, http.StatusForbidden, "")
		if u := get(sam.ID); u.Role != access.Finance {
			t.Errorf("a director changed a role: %s", u.Role)
		}
		if _, _, page := director.do(http.MethodGet, "/console/settings", nil); strings.Contains(page, `id="users"`) {
			t.Errorf("the director sees the users section")
		}
	})

	t.Run("branding", func(t *testing.T) {
		form := url.Values{"primary_color": {"#123456"}, "accent_color": {"#abcdef"}, "iban": {"ES91 2100 0418 4502 0005 1332"}, "bic": {"CAIXESBBXXX"},
			"email": {"billing@nimbus.test"}, "phone": {"+34 600 000 000"}, "payment_instructions": {"Transfer within 30 days."}}
		ok(t, admin, "/console/settings/branding", form)
		b, err := e.Svc.GetBranding(ctx, sys)
		if err != nil || b.PrimaryColor != "#123456" || b.AccentColor != "#abcdef" || b.IBAN != "ES9121000418450200051332" || b.PaymentInstructions != "Transfer within 30 days." {
			t.Fatalf("stored %+v, %v", b, err)
		}
		for _, tt := range []struct{ key, value string }{{"primary_color", "blue"}, {"iban", "ES00 1234"}, {"email", "not-an-email"}} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("phone", "+1 555")
			f.Set(tt.key, tt.value)
			body := bad(t, admin, "/console/settings/branding", f, http.StatusUnprocessableEntity, tt.key)
			if !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("%s: no field marked invalid", tt.key)
			}
		}
		bad(t, director, "/console/settings/branding", url.Values{"primary_color": {"#000000"}}, http.StatusForbidden, "")
		if b2, _ := e.Svc.GetBranding(ctx, sys); b2.PrimaryColor != "#123456" || b2.Phone != "+34 600 000 000" {
			t.Errorf("a refused post changed the branding: %+v", b2)
		}
	})

	t.Run("logo", func(t *testing.T) {
		logo := testPNG(t)
		if code, body := admin.upload("/console/settings/logo", "logo", "logo.png", logo); code != http.StatusSeeOther {
			t.Fatalf("upload: %d %.1000s", code, body)
		}
		got, typ, err := e.Svc.GetLogo(ctx, sys)
		if err != nil || typ != "image/png" || !bytes.Equal(got, logo) {
			t.Fatalf("stored logo %s %d bytes, %v", typ, len(got), err)
		}
		_, _, page := admin.do(http.MethodGet, "/console/settings", nil)
		if !strings.Contains(page, `id="logo-preview"`) || !strings.Contains(page, `src="/console/settings/logo?v=`) {
			t.Errorf("no logo preview on the page")
		}
		code, h, img := admin.do(http.MethodGet, "/console/settings/logo", nil)
		if code != 200 || h.Get("Content-Type") != "image/png" || img != string(logo) {
			t.Errorf("logo route: %d %s %d bytes", code, h.Get("Content-Type"), len(img))
		}
		// Anonymous visitors are sent to sign in.
		if code, _, _ := newClient(t, e).do(http.MethodGet, "/console/settings/logo", nil); code != http.StatusSeeOther {
			t.Errorf("anonymous logo: %d", code)
		}

		for _, tt := range []struct {
			name string
			data []byte
			want string
		}{
			{"text", []byte("just some text, not an image"), "not a PNG or JPEG"},
			{"too large", append(append([]byte{}, logo[:8]...), make([]byte, documents.MaxLogoBytes+100<<10)...), "too large"},
			{"too large by a little", append(append([]byte{}, logo[:8]...), make([]byte, documents.MaxLogoBytes)...), "at most"},
		} {
			code, body := admin.upload("/console/settings/logo", "logo", "x.png", tt.data)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="logo"`) || !strings.Contains(body, tt.want) {
				t.Errorf("%s: %d, want 422 naming the logo (%s)", tt.name, code, tt.want)
			}
		}
		if code, _ := director.upload("/console/settings/logo", "logo", "logo.png", []byte("\x89PNG\r\n\x1a\nabc")); code != http.StatusForbidden {
			t.Errorf("director upload: %d", code)
		}
		bad(t, director, "/console/settings/logo/delete", url.Values{}, http.StatusForbidden, "")
		if got, _, _ := e.Svc.GetLogo(ctx, sys); !bytes.Equal(got, logo) {
			t.Errorf("a refused upload changed the logo")
		}
		ok(t, admin, "/console/settings/logo/delete", url.Values{})
		if _, _, err := e.Svc.GetLogo(ctx, sys); err == nil {
			t.Errorf("the logo is still there after removing it")
		}
	})
}
