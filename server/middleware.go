package server

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/store"
)

func writeProblem(w http.ResponseWriter, p *api.Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="facturo"`)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeProblem(w, api.NewProblem(http.StatusInternalServerError, ""))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "facturo_http_requests_total", Help: "HTTP requests by route and status."},
			[]string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "facturo_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request (never its body or credentials) and records metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := r.Header.Get("X-Request-Id")
		if reqID == "" || len(reqID) > 64 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			reqID = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", reqID)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// The mux sets Pattern on the request it receives, which is not r
		// once a middleware has added to the context: ask the mux instead.
		route := r.Pattern
		if route == "" {
			_, route = s.mux.Handler(r)
		}
		if route == "" {
			route = "unmatched"
		}
		if i := strings.IndexByte(route, ' '); i >= 0 {
			route = route[i+1:]
		}
		elapsed := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(r.Method, route).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		} else if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "request", "id", reqID, "method", r.Method, "path", r.URL.Path, "status", status,
			"bytes", sw.bytes, "ms", float64(elapsed.Microseconds())/1000)
	})
}

// authenticate resolves the caller from a bearer API key or the session
// cookie and stores the principal in the request context. A bad bearer key
// is refused at once; no credentials leaves the principal empty, and the
// service refuses whatever needs one.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del(api.RemoteAddrHeader)
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			r.Header.Set(api.RemoteAddrHeader, host)
		}
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, key, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				writeProblem(w, api.NewProblem(http.StatusUnauthorized, "use Authorization: Bearer <API key>"))
				return
			}
			p, err := s.svc.AuthenticateAPIKey(ctx, strings.TrimSpace(key))
			if err != nil {
				writeProblem(w, api.ProblemFor(ctx, err))
				return
			}
			next.ServeHTTP(w, r.WithContext(access.WithPrincipal(ctx, p)))
			return
		}
		if userID := s.sessions.GetString(ctx, sessionUser); userID != "" {
			p, err := s.svc.PrincipalForUser(ctx, s.sessions.GetString(ctx, sessionTenant), userID)
			if err != nil {
				if fail.Is(err, fail.Unauthenticated) {
					_ = s.sessions.Destroy(ctx)
				}
				writeProblem(w, api.ProblemFor(ctx, err))
				return
			}
			r = r.WithContext(access.WithPrincipal(ctx, p))
		}
		next.ServeHTTP(w, r)
	})
}

// maxIdempotentBody bounds the request bodies hashed for idempotency; larger
// bodies are refused by the operations anyway. It must be at least the
// largest operation limit (the usage CSV import's 32 MiB), or a request an
// operation accepts is refused only for carrying an Idempotency-Key.
const maxIdempotentBody = max(billing.MaxAttachmentBytes, 32<<20) + 1<<20

// idempotency makes POSTs with an Idempotency-Key safe to repeat: the same
// key and request replay the first response; another request with the same
// key is 409. The request runs in one transaction with its key (see
// store.RequestTx): the key, the request's hash and the response commit with
// the change, so a crash before the answer leaves a response to replay and
// a retry never runs the write twice. Records live in the database, so a
// retry may reach any node.
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		p := access.FromContext(r.Context())
		if r.Method != http.MethodPost || key == "" || p.TenantID == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeProblem(w, &api.Problem{Type: "about:blank", Title: "Unprocessable Entity", Status: http.StatusUnprocessableEntity,
				Code: fail.Invalid, Field: "Idempotency-Key", Detail: "Idempotency-Key: must be at most 255 characters",
				Errors: []fail.FieldError{{Field: "Idempotency-Key", Message: "must be at most 255 characters"}}})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxIdempotentBody+1))
		if err != nil {
			writeProblem(w, api.NewProblem(http.StatusBadRequest, "could not read the request body"))
			return
		}
		if len(body) > maxIdempotentBody {
			writeProblem(w, api.NewProblem(http.StatusRequestEntityTooLarge, ""))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		claim := store.IdempotencyClaim{TenantID: p.TenantID, Key: key, RequestHash: requestHash(r, p, body), At: time.Now()}
		ctx := r.Context()

		// A completed request with this key answers at once, without a write
		// transaction.
		if rec, ok, err := s.db.IdempotencyRecordOf(ctx, p.TenantID, key); err != nil {
			writeProblem(w, api.ProblemFor(ctx, err))
			return
		} else if ok && rec.State == store.IdemDone {
			s.answerTaken(w, claim, rec)
			return
		}

		rctx, rt := s.db.BeginRequest(ctx, claim)
		rw := &recordingWriter{header: http.Header{}}
		func() {
			defer func() {
				if v := recover(); v != nil {
					_ = rt.Rollback()
					panic(v)
				}
			}()
			next.ServeHTTP(rw, r.WithContext(rctx))
		}()
		status := rw.status
		if status == 0 {
			status = http.StatusOK
		}
		switch {
		case rt.Lost():
			// Another request with this key completed first: its outcome is
			// the answer, this one's is undone.
			_ = rt.Rollback()
			rec, ok, err := s.db.IdempotencyRecordOf(ctx, p.TenantID, key)
			if err != nil || !ok {
				writeProblem(w, api.ProblemFor(ctx, errors.Join(errors.New("idempotency key taken but not found"), err)))
				return
			}
			s.answerTaken(w, claim, rec)
			return
		case status < 400:
			if err := rt.Commit(ctx, status, rw.header.Get("Content-Type"), rw.buf.Bytes()); err != nil {
				_ = rt.Rollback()
				s.log.Error("commit idempotent request", "err", err)
				writeProblem(w, api.NewProblem(http.StatusInternalServerError, ""))
				return
			}
		default:
			// A refusal undoes whatever the request did. The key keeps only
			// the refusals a retry would meet again (see keepsRefusal).
			if err := rt.Rollback(); err != nil {
				s.log.Error("roll back idempotent request", "err", err)
			}
			if keepsRefusal(status) {
				if err := s.db.SaveIdempotencyRecord(ctx, claim, status, rw.header.Get("Content-Type"), rw.buf.Bytes()); err != nil {
					s.log.Error("store idempotent response", "err", err)
				}
			}
		}
		s.crashPoint(FaultIdempotentResponse)
		maps.Copy(w.Header(), rw.header)
		w.WriteHeader(status)
		_, _ = w.Write(rw.buf.Bytes())
	})
}

// answerTaken answers a request whose key another request completed: that
// request's stored response when it was the same request, else 409.
func (s *Server) answerTaken(w http.ResponseWriter, claim store.IdempotencyClaim, rec store.IdempotencyRecord) {
	if rec.RequestHash != claim.RequestHash || rec.State != store.IdemDone {
		writeProblem(w, &api.Problem{Type: "about:blank", Title: "Conflict", Status: http.StatusConflict, Code: fail.Conflict,
			Field: "Idempotency-Key", Detail: "this Idempotency-Key was used with a different request; use a new key for a new request"})
		return
	}
	w.Header().Set("Content-Type", rec.ContentType)
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.StatusCode)
	_, _ = w.Write(rec.Body)
}

// keepsRefusal tells whether an Idempotency-Key stays bound to a refused
// request (Stripe's rule): it does for refusals decided by the state of the
// business, which a retry would meet again (402 payment failed, 404 not
// found, 409 conflict, 410 gone), so a repeat replays them. It does not for
// a request that did not run or can be corrected: malformed or invalid input
// (400, 413, 415, 422), not allowed (401, 403), too many requests (429), or
// a server error (5xx); the same key may then be used again.
func keepsRefusal(status int) bool {
	switch status {
	case http.StatusPaymentRequired, http.StatusNotFound, http.StatusConflict, http.StatusGone:
		return true
	}
	return false
}

// requestHash identifies a request for its Idempotency-Key: method, path,
// query, caller and body. A JSON body counts as the value it denotes, so
// spacing and key order do not make another request; any other body (CSV,
// a file) counts byte for byte.
func requestHash(r *http.Request, p access.Principal, body []byte) string {
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n%s\n%s\n", r.Method, r.URL.Path, r.URL.RawQuery, p.ActorID())
	if canon, ok := canonicalJSON(body); ok {
		sum.Write([]byte("json\n"))
		sum.Write(canon)
	} else {
		sum.Write([]byte("bytes\n"))
		sum.Write(body)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// canonicalJSON re-encodes a body holding exactly one JSON value with object
// keys sorted and no insignificant space; numbers keep their literal form.
func canonicalJSON(body []byte) ([]byte, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data: not one JSON value
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return out, true
}

// crashPoint lets a test make the server die at point: the connection is
// dropped without an answer, as if the process had crashed.
func (s *Server) crashPoint(point string) {
	if s.fault != nil && s.fault(point) != nil {
		panic(http.ErrAbortHandler)
	}
}

// recordingWriter buffers a response, headers included, so it can be stored
// before it is sent, or dropped for another answer.
type recordingWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *recordingWriter) Header() http.Header { return w.header }

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}
