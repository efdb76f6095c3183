package server_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// accSessionCookie returns the session cookie a response sets, if any.
func accSessionCookie(r testserver.Response) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			return c
		}
	}
	return nil
}

// TestSessions: sign-in with a password, the cookie session, sign-out,
// wrong passwords and their rate limit, disabled users, and CSRF.
func TestSessions(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		const email, password = "ana@example.com", "correct horse battery"
		u := accNewUser(t, e, e.A.ID, email, password, access.Sales)
		client := testserver.CookieClient()
		call := func(method, path string, body any, headers ...string) testserver.Response {
			t.Helper()
			return testserver.Do(t, client, e.URL, method, path, "", body, headers...)
		}
		login := func(pw string) testserver.Response {
			t.Helper()
			e.Clock.Advance(time.Second) // time passes between attempts
			// Email case and spaces do not matter.
			return call(http.MethodPost, "/api/v1/auth/login", map[string]any{"email": " Ana@Example.com", "password": pw})
		}
		var me api.Me

		// Without a session, /me is 401.
		accWantProblem(t, call(http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")

		// Sign in: an HttpOnly, SameSite session cookie, renewed (never the
		// token the client came with: no session fixation).
		r := call(http.MethodPost, "/api/v1/auth/login", map[string]any{"email": email, "password": password},
			"Cookie", api.SessionCookie+"=attacker-chosen-token")
		if r.Status != http.StatusOK {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &me)
		if me.UserID != u.ID || me.TenantID != e.A.ID || me.Role != "sales" || me.TenantName != "Tenant A" {
			t.Errorf("login answered %+v", me)
		}
		ck := accSessionCookie(r)
		switch {
		case ck == nil:
			t.Fatalf("login set no %s cookie; headers %v", api.SessionCookie, r.Header)
		case !ck.HttpOnly:
			t.Errorf("session cookie is not HttpOnly: %s", r.Header.Get("Set-Cookie"))
		case ck.SameSite != http.SameSiteLaxMode && ck.SameSite != http.SameSiteStrictMode:
			t.Errorf("session cookie SameSite %v: %s", ck.SameSite, r.Header.Get("Set-Cookie"))
		case ck.Value == "attacker-chosen-token" || len(ck.Value) < 20:
			t.Errorf("session token %q was not freshly made", ck.Value)
		case ck.Path != "/":
			t.Errorf("session cookie path %q", ck.Path)
		}
		if strings.Contains(string(r.Body), password) || strings.Contains(string(r.Body), ck.Value) {
			t.Errorf("login body leaks a secret: %s", r.Body)
		}

		// The cookie authenticates.
		r = call(http.MethodGet, "/api/v1/me", nil)
		me = api.Me{}
		r.JSON(t, &me)
		if r.Status != http.StatusOK || me.UserID != u.ID || me.APIKeyID != "" {
			t.Fatalf("/me with the session: %d %s", r.Status, r.Body)
		}
		if r := call(http.MethodGet, "/api/v1/customers", nil); r.Status != http.StatusOK {
			t.Errorf("list customers with the session: %d %s", r.Status, r.Body)
		}
		if r := call(http.MethodGet, "/api/v1/users", nil); r.Status != http.StatusForbidden {
			t.Errorf("a sales user's session listed users: %d", r.Status)
		}

		// Sign out ends the session on the server, not just in the browser.
		if r := call(http.MethodPost, "/api/v1/auth/logout", nil); r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, call(http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		stolen := testserver.Do(t, http.DefaultClient, e.URL, http.MethodGet, "/api/v1/me", "", nil, "Cookie", ck.String())
		accWantProblem(t, stolen, http.StatusUnauthorized, "unauthenticated")

		// Wrong password and unknown email: the same 401, no cookie.
		var details []string
		for _, body := range []map[string]any{{"email": email, "password": "wrong password!"}, {"email": "nobody@example.com", "password": password}} {
			r := call(http.MethodPost, "/api/v1/auth/login", body)
			p := accWantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
			details = append(details, p.Detail)
			if ck := accSessionCookie(r); ck != nil {
				t.Errorf("a failed login set a session cookie: %s", r.Header.Get("Set-Cookie"))
			}
		}
		if details[0] != details[1] {
			t.Errorf("wrong password %q and unknown email %q answer differently", details[0], details[1])
		}

		// Sign in again (a success resets the failure count).
		if r := login(password); r.Status != http.StatusOK {
			t.Fatalf("second login: %d %s", r.Status, r.Body)
		}

		// CSRF: a state-changing request carried by the cookie from another
		// site is refused and writes nothing; the same site is fine.
		adminKey := e.A.Keys[access.Administrator]
		for _, h := range [][]string{
			{"Sec-Fetch-Site", "cross-site"},
			{"Origin", "https://evil.example"},
			{"Sec-Fetch-Site", "same-site"},
		} {
			before := e.Snapshot()
			r := call(http.MethodPost, "/api/v1/customers", map[string]any{"name": "Forged"}, h...)
			accWantProblem(t, r, http.StatusForbidden, "forbidden")
			r = call(http.MethodPatch, "/api/v1/customers/"+e.A.Customer, map[string]any{"name": "Forged"}, h...)
			accWantProblem(t, r, http.StatusForbidden, "forbidden")
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("a cross-origin request (%v) wrote: %v → %v", h, before, after)
			}
		}
		if r := call(http.MethodGet, "/api/v1/me", nil, "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusOK {
			t.Errorf("a cross-site GET (a link) was refused: %d", r.Status)
		}
		for _, h := range [][]string{{"Sec-Fetch-Site", "same-origin"}, {"Origin", e.URL}, nil} {
			if r := call(http.MethodPost, "/api/v1/customers", map[string]any{"name": "Same origin " + strings.Join(h, " ")}, h...); r.Status != http.StatusCreated {
				t.Errorf("same-origin POST with the session (%v): %d %s", h, r.Status, r.Body)
			}
		}
		// A bearer key is no ambient credential: a browser never attaches it
		// by itself, so cross-origin headers do not matter.
		for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://integrations.example"}} {
			r := accDo(t, e, http.MethodPost, "/api/v1/customers", adminKey, map[string]any{"name": "Via key " + h[1]}, h...)
			if r.Status != http.StatusCreated {
				t.Errorf("bearer POST with %v: %d %s", h, r.Status, r.Body)
			}
		}

		// Ten wrong passwords in a row: the eleventh attempt is refused even
		// with the right password, and the session is not touched.
		for i := range 10 {
			if r := login("wrong password " + string(rune('a'+i))); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		// (From a browser without a session, so any cookie would be a new session.)
		r = testserver.Do(t, http.DefaultClient, e.URL, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": email, "password": password})
		p := accWantProblem(t, r, http.StatusTooManyRequests, "rate_limited")
		if !strings.Contains(p.Detail, "minutes") {
			t.Errorf("rate-limit detail %q does not say how long to wait", p.Detail)
		}
		if ck := accSessionCookie(r); ck != nil {
			t.Errorf("a rate-limited login set a session cookie: %s", r.Header.Get("Set-Cookie"))
		}
		if r := call(http.MethodGet, "/api/v1/me", nil); r.Status != http.StatusOK {
			t.Errorf("the signed-in session stopped working after others' failures: %d", r.Status)
		}
		// After the window the right password works again.
		e.Clock.Advance(service.LoginWindow + time.Minute)
		if r := login(password); r.Status != http.StatusOK {
			t.Fatalf("login after the window: %d %s", r.Status, r.Body)
		}

		// Disabling a user ends its sessions at once, and it cannot sign in.
		r = accDo(t, e, http.MethodPatch, "/api/v1/users/"+u.ID, adminKey, map[string]any{"disabled": true})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"disabled":true`) {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, call(http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		accWantProblem(t, call(http.MethodGet, "/api/v1/customers", nil), http.StatusUnauthorized, "unauthenticated")
		accWantProblem(t, login(password), http.StatusUnauthorized, "unauthenticated")
	})
}
