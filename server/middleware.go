package server

import (
	"bytes"
	"context"
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
	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service/usecase"
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
const maxIdempotentBody = max(attachment.MaxBytes, 32<<20) + 1<<20

// idempotency makes POSTs with an Idempotency-Key safe to repeat. It only
// reads the header and names the request (its hash); usecase.Idempotent
// runs it: the same key and request replay the first response, another
// request with the same key is 409, and the key, the request's hash and the
// response commit in the transaction of the change. Records live in the
// database, so a retry may reach any node.
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
		claim := usecase.Claim{TenantID: p.TenantID, Key: key, RequestHash: requestHash(r, p, body), At: time.Now()}
		rw := &recordingWriter{header: http.Header{}}
		resp, replayed, err := usecase.Idempotent(r.Context(), s.db.Requests(), claim, func(ctx context.Context) usecase.Response {
			next.ServeHTTP(rw, r.WithContext(ctx))
			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			return usecase.Response{Status: status, ContentType: rw.header.Get("Content-Type"), Body: rw.buf.Bytes()}
		}, func(msg string, err error) { s.log.Error(msg, "err", err) })
		switch {
		case errors.Is(err, usecase.ErrKeyReused):
			writeProblem(w, &api.Problem{Type: "about:blank", Title: "Conflict", Status: http.StatusConflict, Code: fail.Conflict,
				Field: "Idempotency-Key", Detail: usecase.ErrKeyReused.Error()})
			return
		case err != nil:
			writeProblem(w, api.ProblemFor(r.Context(), err))
			return
		}
		if replayed {
			w.Header().Set("Content-Type", resp.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
		} else {
			s.crashPoint(FaultIdempotentResponse)
			maps.Copy(w.Header(), rw.header)
		}
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Body)
	})
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
