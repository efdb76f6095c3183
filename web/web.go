// Package web serves Facturo's staff console (/console) and customer portal
// (/portal) as server-rendered HTML with htmx: no JavaScript build step, the
// templates, stylesheet and htmx are embedded in the binary. Handlers call
// the service layer directly, like the JSON API does; no business rule lives
// here.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/web/form"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Sessions starts and ends cookie sessions (the server's session manager).
type Sessions interface {
	Login(ctx context.Context, tenantID, userID string) error
	Logout(ctx context.Context) error
}

// Handler serves the console and the portal.
type Handler struct {
	svc      *service.Service
	sessions Sessions
	log      *slog.Logger
	pages    map[string]*template.Template
	// Timing, when set, receives each page's server-side render time.
	Timing func(route string, d time.Duration)
}

// New parses the embedded templates.
func New(svc *service.Service, sessions Sessions, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{svc: svc, sessions: sessions, log: log, pages: map[string]*template.Template{}}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name))
		h.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return h
}

// Register mounts the web routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(fileServer)))
	// Browsers ask for /favicon.ico whatever the page links to.
	mux.Handle("GET /favicon.ico", cacheStatic(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "favicon.ico")
	})))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p := access.FromContext(r.Context())
		switch {
		case p.TenantID == "":
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		case p.IsCustomer():
			http.Redirect(w, r, "/portal", http.StatusSeeOther)
		default:
			http.Redirect(w, r, "/console", http.StatusSeeOther)
		}
	})
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("POST /language", h.staffOrCustomer(h.setLanguage))
	h.registerConsole(mux)
	h.registerPortal(mux)
	h.registerAccount(mux)
	h.registerDocuments(mux)
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// view is what every page template receives.
type view struct {
	Lang    string
	Title   string
	P       access.Principal
	Name    string
	Area    string // console or portal
	Section string
	Nav     []navItem
	Flash   string
	Error   string
	// Form holds a failed form's field errors: the page shows them at
	// their fields (.Err), the banner the rest.
	Form    *form.Errors
	Path    string
	Data    any
	Content template.HTML // the page's content, rendered before the layout
}

// Err is the message of a failed form for field, or "".
func (v *view) Err(field string) string { return v.Form.Err(field) }

// failed records err on the view: its message, or its field errors.
func (v *view) failed(r *http.Request, err error) {
	v.Form = newFormErrors(r.Context(), err)
	if v.Form == nil {
		v.Error = errorText(r, err)
	}
}

type navItem struct {
	Key, Href string
	Active    bool
}

type ctxKey struct{}

// reqInfo is carried in the request context by the guards.
type reqInfo struct {
	lang string
	name string
}

func infoFrom(ctx context.Context) reqInfo {
	ri, _ := ctx.Value(ctxKey{}).(reqInfo)
	if ri.lang == "" {
		ri.lang = "en"
	}
	return ri
}

// guard wraps a handler that needs a signed-in principal accepted by ok;
// without a session it sends the browser to the sign-in page.
func (h *Handler) guard(ok func(access.Principal) bool, wrong string, fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := access.FromContext(r.Context())
		if p.TenantID == "" {
			if r.Header.Get("HX-Request") != "" {
				w.Header().Set("HX-Redirect", "/login")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !ok(p) {
			http.Redirect(w, r, wrong, http.StatusSeeOther)
			return
		}
		ri := reqInfo{lang: "en", name: p.Name}
		if u, err := h.svc.Me(r.Context(), p); err == nil {
			ri.lang, ri.name = u.Language, u.Name
		} else {
			ri.lang = messages.AcceptLanguage(r.Header.Get("Accept-Language"))
		}
		fn(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri)))
	}
}

func (h *Handler) staff(fn http.HandlerFunc) http.HandlerFunc {
	return h.guard(func(p access.Principal) bool { return p.Role.IsStaff() }, "/portal", fn)
}

func (h *Handler) customer(fn http.HandlerFunc) http.HandlerFunc {
	return h.guard(func(p access.Principal) bool { return p.IsCustomer() }, "/console", fn)
}

func (h *Handler) staffOrCustomer(fn http.HandlerFunc) http.HandlerFunc {
	return h.guard(func(access.Principal) bool { return true }, "/", fn)
}

// newView fills the common parts of a page.
func (h *Handler) newView(r *http.Request, section, title string, data any) *view {
	p := access.FromContext(r.Context())
	ri := infoFrom(r.Context())
	v := &view{Lang: ri.lang, P: p, Name: ri.name, Section: section, Title: title, Data: data, Path: r.URL.RequestURI()}
	if p.IsCustomer() {
		v.Area = "portal"
		v.Nav = portalNav(section)
	} else {
		v.Area = "console"
		v.Nav = consoleNav(p, section)
	}
	if k := r.URL.Query().Get("ok"); k != "" && hasMessage(k) {
		v.Flash = T(ri.lang, "flash."+k)
	}
	return v
}

// render writes a full page (or, for htmx requests asking for a fragment, the named block).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, page string, status int, v *view) {
	start := time.Now()
	t, ok := h.pages[page]
	if !ok {
		panic("web: no page template " + page)
	}
	// The content first, so the layout's banner knows which field errors
	// the page showed at their fields.
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", v); err != nil {
		h.log.ErrorContext(r.Context(), "render", "page", page, "err", err)
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	v.Content = template.HTML(buf.String()) //nolint:gosec // html/template output
	buf.Reset()
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.ErrorContext(r.Context(), "render", "page", page, "err", err)
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	h.write(w, r, page, status, &buf, start)
}

// fragment renders one named template of a page (htmx swaps).
func (h *Handler) fragment(w http.ResponseWriter, r *http.Request, page, name string, status int, v *view) {
	start := time.Now()
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, name, v); err != nil {
		h.log.ErrorContext(r.Context(), "render", "page", page, "fragment", name, "err", err)
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	h.write(w, r, page+"#"+name, status, &buf, start)
}

func (h *Handler) write(w http.ResponseWriter, r *http.Request, name string, status int, buf *bytes.Buffer, start time.Time) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	if h.Timing != nil {
		h.Timing(name, time.Since(start))
	}
}

// fail renders an error page with the status the API would answer for err.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	pr := api.ProblemFor(r.Context(), err)
	status := pr.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	lang := infoFrom(r.Context()).lang
	v := h.newView(r, "", T(lang, fmt.Sprintf("error.%d", status)), nil)
	v.Error = errorText(r, err)
	if r.Header.Get("HX-Request") != "" {
		h.fragment(w, r, "error", "errorbox", status, v)
		return
	}
	h.render(w, r, "error", status, v)
}

// redirect answers a form post: htmx follows HX-Redirect, browsers a 303.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if p.TenantID != "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	lang := messages.AcceptLanguage(r.Header.Get("Accept-Language"))
	ctx := context.WithValue(r.Context(), ctxKey{}, reqInfo{lang: lang})
	r = r.WithContext(ctx)
	v := h.newView(r, "login", T(lang, "login.title"), map[string]string{"Next": safeNext(r.URL.Query().Get("next")), "Email": ""})
	h.render(w, r, "login", http.StatusOK, v)
}

// safeNext keeps only local paths, so the sign-in page cannot redirect elsewhere.
func safeNext(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return ""
	}
	return s
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	u, err := h.svc.Login(r.Context(), email, password, r.PostFormValue("tenant_id"), r.Header.Get(api.RemoteAddrHeader))
	if err == nil {
		err = h.sessions.Login(r.Context(), u.TenantID, u.ID)
	}
	if err != nil {
		lang := messages.AcceptLanguage(r.Header.Get("Accept-Language"))
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, reqInfo{lang: lang}))
		v := h.newView(r, "login", T(lang, "login.title"), map[string]string{"Next": safeNext(r.PostFormValue("next")), "Email": email})
		v.Error = errorText(r, err) // in the visitor's language
		h.render(w, r, "login", statusOf(r, err), v)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/console"
		if u.Role == access.Customer {
			next = "/portal"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	_ = h.sessions.Logout(r.Context())
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if _, err := h.svc.SetMyLanguage(r.Context(), p, r.PostFormValue("language")); err != nil {
		h.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
