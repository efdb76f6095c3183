// Package server assembles Facturo's HTTP server: the JSON API, health and
// metrics endpoints, and the middleware every request passes through
// (logging, metrics, CSRF protection, sessions, authentication, idempotency).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/web"
)

// Version is reported in the OpenAPI document.
var Version = "0.1.0"

// Config configures a Server.
type Config struct {
	Log *slog.Logger
	// SecureCookies marks the session cookie Secure (set behind HTTPS).
	SecureCookies bool
	// SessionLifetime bounds a session; zero means 12 hours.
	SessionLifetime time.Duration
	// Fault, when set, is called at named points (FaultIdempotentResponse)
	// so tests can make the server fail there as if it crashed; an error
	// drops the connection without an answer.
	Fault func(point string) error
}

// FaultIdempotentResponse is the point after an idempotent request's outcome
// is decided and before its answer is sent.
const FaultIdempotentResponse = "idempotent response"

// Server is Facturo's HTTP handler.
type Server struct {
	svc      *service.Service
	db       *store.DB
	log      *slog.Logger
	sessions *scs.SessionManager
	metrics  *metrics
	mux      *http.ServeMux
	handler  http.Handler
	registry *prometheus.Registry
	fault    func(point string) error
	// Web is the console and portal, exposed for render-time measurements.
	Web *web.Handler
}

// New builds the server over a migrated database.
func New(svc *service.Service, db *store.DB, cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{svc: svc, db: db, log: cfg.Log, registry: prometheus.NewRegistry(), fault: cfg.Fault}
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = newMetrics(s.registry)

	sm := scs.New()
	sm.Store = db
	sm.Lifetime = cfg.SessionLifetime
	if sm.Lifetime == 0 {
		sm.Lifetime = 12 * time.Hour
	}
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = api.SessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	s.sessions = sm

	mux := http.NewServeMux()
	s.mux = mux
	humaAPI := humago.New(mux, api.Config(Version))
	(&api.Handlers{Svc: svc, Sessions: sessionAdapter{sm}}).Register(humaAPI)
	api.RegisterDocs(mux, "Facturo API")
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	// The staff console (/console) and the customer portal (/portal); / sends
	// the browser to the one the caller may use, or to the sign-in page.
	s.Web = web.New(svc, sessionAdapter{sm}, cfg.Log)
	s.Web.Register(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, api.NewProblem(http.StatusNotFound, "no such endpoint: see /api/v1/docs"))
	})

	// Outermost first: recover → log/metrics → CSRF → sessions → auth → idempotency → routes.
	var h http.Handler = mux
	h = s.idempotency(h)
	h = s.authenticate(h)
	h = sm.LoadAndSave(h)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, &api.Problem{Type: "about:blank", Title: "Forbidden", Status: http.StatusForbidden, Code: "forbidden",
			Detail: "cross-origin request refused: the request did not come from this site"})
	}))
	h = skipCSRFForBearer(csrf.Handler(h), h)
	h = s.observe(h)
	h = s.recoverPanics(h)
	s.handler = h
	return s
}

// skipCSRFForBearer sends requests that carry an Authorization header and
// no session cookie past the CSRF check: cross-site forgery rides on
// credentials a browser attaches by itself, and it never attaches a bearer
// key (a cross-origin page cannot add one without a CORS preflight, which
// this server does not grant).
func skipCSRFForBearer(protected, unprotected http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			if _, err := r.Cookie(api.SessionCookie); err != nil {
				unprotected.ServeHTTP(w, r)
				return
			}
		}
		protected.ServeHTTP(w, r)
	})
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		http.Error(w, "database unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// sessionAdapter gives the API the session operations it needs.
type sessionAdapter struct{ sm *scs.SessionManager }

const (
	sessionUser   = "user_id"
	sessionTenant = "tenant_id"
)

func (a sessionAdapter) Login(ctx context.Context, tenantID, userID string) error {
	if err := a.sm.RenewToken(ctx); err != nil {
		return err
	}
	a.sm.Put(ctx, sessionTenant, tenantID)
	a.sm.Put(ctx, sessionUser, userID)
	return nil
}

func (a sessionAdapter) Logout(ctx context.Context) error { return a.sm.Destroy(ctx) }
