package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/internal/mailpit"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader on two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the command in process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// clearEnv makes flag defaults independent of the machine's environment:
// every FACTURO_ variable but the test suite's own (FACTURO_TEST_…) is unset
// for the test.
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if v, _, _ := strings.Cut(kv, "="); strings.HasPrefix(v, "FACTURO_") && !strings.HasPrefix(v, "FACTURO_TEST_") {
			t.Setenv(v, "")
			os.Unsetenv(v)
		}
	}
}

func TestHelp(t *testing.T) {
	clearEnv(t)
	t.Chdir(t.TempDir()) // a command that wrongly opened its default database would leave facturo.db here
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"serve", "migrate", "tenant", "user", "apikey", "version", "Usage: facturo <command>"}},
		{[]string{"--help"}, []string{"serve", "migrate", "tenant", "user", "apikey", "version"}},
		{[]string{"-h"}, []string{"serve", "apikey"}},
		{[]string{"help"}, []string{"serve", "apikey"}},
		{[]string{"serve", "--help"}, []string{"facturo serve", "--db", "--addr", "--demo", "--log-level", "--secure-cookies",
			"$FACTURO_DATABASE_URL", "$FACTURO_ADDR", `(default "127.0.0.1:8080")`}},
		{[]string{"serve", "-h"}, []string{"--addr"}},
		{[]string{"migrate", "--help"}, []string{"facturo migrate", "--db", `(default "facturo.db")`}},
		{[]string{"tenant", "--help"}, []string{"facturo tenant create|list", "facturo tenant create --help"}},
		{[]string{"tenant", "create", "--help"}, []string{"facturo tenant create", "--db", "--name", "--legal-name", "--tax-id",
			"--currency", "--time-zone", "--language", "--country", `(default "EUR")`}},
		{[]string{"tenant", "list", "--help"}, []string{"facturo tenant list", "--db"}},
		{[]string{"user", "--help"}, []string{"facturo user create"}},
		{[]string{"user", "create", "--help"}, []string{"facturo user create", "--db", "--tenant", "--email", "--name", "--role",
			"--customer", "--language", "FACTURO_PASSWORD", "$FACTURO_TENANT"}},
		{[]string{"apikey", "--help"}, []string{"facturo apikey create"}},
		{[]string{"apikey", "create", "--help"}, []string{"facturo apikey create", "--db", "--tenant", "--name", "--role", "--customer"}},
		{[]string{"version"}, []string{"facturo " + version}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			all := stdout + stderr
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			if len(tt.args) > 0 && strings.Contains(stderr, "facturo "+tt.args[0]+": ") {
				t.Errorf("help reported as an error: %s", stderr)
			}
		})
	}
	if _, err := os.Stat("facturo.db"); err == nil {
		t.Error("asking for help created a database")
	}
}

func TestUsageErrors(t *testing.T) {
	clearEnv(t)
	t.Chdir(t.TempDir())
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"--verbose"}, 2, `unknown command "--verbose"`},
		{[]string{"tenant"}, 1, "usage: facturo tenant create|list"},
		{[]string{"tenant", "delete"}, 1, "usage: facturo tenant create|list"},
		{[]string{"user"}, 1, "usage: facturo user create"},
		{[]string{"user", "delete"}, 1, "usage: facturo user create"},
		{[]string{"apikey", "revoke"}, 1, "usage: facturo apikey create"},
		{[]string{"serve", "--no-such-flag"}, 1, "flag provided but not defined: -no-such-flag"},
		// A stray argument stops flag parsing: refuse it rather than ignore the flags after it.
		{[]string{"migrate", "postgres://db.example/facturo"}, 1, `unexpected argument "postgres://db.example/facturo"`},
		{[]string{"tenant", "create", "Acme", "--currency", "EUR"}, 1, `unexpected argument "Acme"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
			if tt.code == 2 && !strings.Contains(stderr, "Commands:") {
				t.Errorf("unknown command does not list the commands:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("an error printed to stdout: %q", stdout)
			}
		})
	}
	if _, err := os.Stat("facturo.db"); err == nil {
		t.Error("a usage error created a database")
	}
}

func TestMigrate(t *testing.T) {
	clearEnv(t)
	for _, e := range testdb.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := testdb.DSN(t, e)
			for range 2 { // migrating twice is a no-op
				if code, stdout, stderr := cli(t, "migrate", "--db", dsn); code != 0 {
					t.Fatalf("migrate exit %d\n%s%s", code, stdout, stderr)
				}
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.SQL().QueryRow(`SELECT count(*) FROM tenants`).Scan(&n); err != nil {
				t.Fatalf("the tenants table is missing after migrate: %v", err)
			}
		})
	}
	t.Run("sqlite creates the directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nested", "dir", "f.db")
		if code, _, stderr := cli(t, "migrate", "--db", path); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("no database file: %v", err)
		}
	})
	t.Run("environment", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "env.db")
		t.Setenv("FACTURO_DATABASE_URL", path)
		if code, _, stderr := cli(t, "migrate"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("$FACTURO_DATABASE_URL not used: %v", err)
		}
	})
}

var (
	createdUser = regexp.MustCompile(`^created (usr_[0-9a-z]+) \(([^,]+), ([a-z_]+)\)$`)
	printedPass = regexp.MustCompile(`(?m)^password: (\S+)$`)
)

func TestTenantUserAPIKey(t *testing.T) {
	clearEnv(t)
	for _, e := range testdb.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, e)

			// tenant create: prints the id.
			code, stdout, stderr := cli(t, "tenant", "create", "--db", dsn, "--name", "Nimbus Cloud", "--currency", "eur",
				"--time-zone", "Europe/Madrid", "--language", "pt", "--country", "es")
			if code != 0 {
				t.Fatalf("tenant create exit %d: %s", code, stderr)
			}
			tenantID := strings.TrimSpace(stdout)
			if !id.Valid(id.Tenant, tenantID) {
				t.Fatalf("tenant create printed %q, not a tenant id", stdout)
			}

			// Invalid input: exit 1, names the field, prints and writes nothing.
			code, stdout, stderr = cli(t, "tenant", "create", "--db", dsn, "--name", "Bad", "--currency", "XYZ", "--time-zone", "Mars/Base")
			if code != 1 || stdout != "" || !strings.Contains(stderr, "currency") || !strings.Contains(stderr, "time_zone") {
				t.Errorf("invalid tenant: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}

			// tenant list: one line per tenant.
			code, stdout, stderr = cli(t, "tenant", "list", "--db", dsn)
			if code != 0 {
				t.Fatalf("tenant list exit %d: %s", code, stderr)
			}
			if want := tenantID + "\tNimbus Cloud\tEUR\tEurope/Madrid\n"; stdout != want {
				t.Errorf("tenant list printed %q, want %q", stdout, want)
			}

			// user create with a generated password: printed once, and it signs in.
			code, stdout, stderr = cli(t, "user", "create", "--db", dsn, "--email", " Ada@Example.COM ", "--name", "Ada Admin")
			if code != 0 {
				t.Fatalf("user create exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			m := createdUser.FindStringSubmatch(lines[0])
			pw := printedPass.FindStringSubmatch(stdout)
			if m == nil || pw == nil || m[2] != "ada@example.com" || m[3] != "administrator" {
				t.Fatalf("user create printed %q", stdout)
			}
			// With $FACTURO_PASSWORD the password is not printed.
			t.Setenv("FACTURO_PASSWORD", "chosen-password-1")
			code, stdout, stderr = cli(t, "user", "create", "--db", dsn, "--email", "fin@example.com", "--name", "Finn", "--role", "finance", "--language", "es")
			os.Unsetenv("FACTURO_PASSWORD")
			if code != 0 || strings.Contains(stdout, "password") || !strings.Contains(stdout, "(fin@example.com, finance)") {
				t.Errorf("user create with $FACTURO_PASSWORD: exit %d, %q %q", code, stdout, stderr)
			}
			// Invalid users.
			for _, args := range [][]string{
				{"--email", "ada@example.com", "--name", "Dup"},
				{"--email", "c@example.com", "--name", "C", "--role", "customer"},
				{"--email", "r@example.com", "--name", "R", "--role", "root"},
				{"--email", "not-an-email", "--name", "X"},
			} {
				code, stdout, stderr := cli(t, append([]string{"user", "create", "--db", dsn}, args...)...)
				if code != 1 || stdout != "" || stderr == "" {
					t.Errorf("user create %v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
				}
			}

			// apikey create: prints the secret only.
			code, stdout, stderr = cli(t, "apikey", "create", "--db", dsn, "--name", "ci", "--role", "finance")
			if code != 0 {
				t.Fatalf("apikey create exit %d: %s", code, stderr)
			}
			secret := strings.TrimSpace(stdout)
			if !strings.HasPrefix(secret, access.APIKeyPrefix) || strings.Contains(secret, "\n") {
				t.Fatalf("apikey create printed %q", stdout)
			}
			if code, _, stderr := cli(t, "apikey", "create", "--db", dsn, "--role", "customer"); code != 1 || !strings.Contains(stderr, "customer_id") {
				t.Errorf("customer key without customer: exit %d, %s", code, stderr)
			}

			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			svc := service.New(db)
			u, err := svc.Login(ctx, "ada@example.com", pw[1], "", "127.0.0.1")
			if err != nil || u.ID != m[1] || u.TenantID != tenantID || u.Role != access.Administrator {
				t.Errorf("sign in with the printed password: %+v, %v", u, err)
			}
			if _, err := svc.Login(ctx, "fin@example.com", "chosen-password-1", "", "127.0.0.1"); err != nil {
				t.Errorf("sign in with $FACTURO_PASSWORD: %v", err)
			}
			p, err := svc.AuthenticateAPIKey(ctx, secret)
			if err != nil || p.TenantID != tenantID || p.Role != access.Finance {
				t.Errorf("printed key: %+v, %v", p, err)
			}
			tn, err := svc.GetTenant(ctx, access.System(tenantID, "test"))
			if err != nil || tn.Language != "pt-BR" || tn.Currency != "EUR" || tn.Address.Country != "ES" {
				t.Errorf("tenant %+v, %v", tn, err)
			}
			db.Close()

			// With two tenants, --tenant is required.
			code, stdout, _ = cli(t, "tenant", "create", "--db", dsn, "--name", "Second", "--currency", "BRL")
			second := strings.TrimSpace(stdout)
			if code != 0 || !id.Valid(id.Tenant, second) {
				t.Fatalf("second tenant: exit %d, %q", code, stdout)
			}
			for _, cmd := range [][]string{{"user", "create", "--email", "x@example.com", "--name", "X"}, {"apikey", "create"}} {
				code, _, stderr := cli(t, append(cmd, "--db", dsn)...)
				if code != 1 || !strings.Contains(stderr, "tenant") {
					t.Errorf("%v with two tenants and no --tenant: exit %d, %s", cmd, code, stderr)
				}
				code, stdout, stderr = cli(t, append(cmd, "--db", dsn, "--tenant", second)...)
				if code != 0 || stdout == "" {
					t.Errorf("%v --tenant %s: exit %d, %s", cmd, second, code, stderr)
				}
			}
			code, stdout, _ = cli(t, "tenant", "list", "--db", dsn)
			if code != 0 || strings.Count(stdout, "\n") != 2 || !strings.Contains(stdout, second+"\tSecond\tBRL\tUTC") {
				t.Errorf("tenant list with two tenants: %q", stdout)
			}
		})
	}
}

// running is a `facturo serve` running in this process.
type running struct {
	url, email, password, key string
	jobs                      string // the operators' job UI, when serve prints it
	done                      chan int
	stderr                    *syncBuffer
	cancel                    context.CancelFunc
}

var (
	servingLine = regexp.MustCompile(`is serving (http://\S+) `)
	signInLine  = regexp.MustCompile(`Sign in:\s+(\S+)\s+password (\S+)`)
	keyLine     = regexp.MustCompile(`API key:\s+(fk_\S+)`)
	jobsLine    = regexp.MustCompile(`Jobs:\s+(http://\S+)`)
)

// serve starts `facturo serve --demo` and reads its output until the API
// key line: then it is listening.
func serve(t *testing.T, dbPath string, extra ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &running{done: make(chan int, 1), stderr: &syncBuffer{}, cancel: cancel}
	pr, pw := io.Pipe()
	go func() {
		args := append([]string{"serve", "--demo", "--db", dbPath, "--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)
		code := run(ctx, args, pw, s.stderr)
		pw.Close()
		s.done <- code
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		for range lines { // drain so the server never blocks on stdout
		}
	})
	deadline := time.After(2 * time.Minute) // a guard against a hang, not a wait
	var seen []string
	for s.key == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended before printing its API key; stdout:\n%s\nstderr:\n%s", strings.Join(seen, "\n"), s.stderr)
			}
			seen = append(seen, line)
			if m := servingLine.FindStringSubmatch(line); m != nil {
				s.url = m[1]
			}
			if m := signInLine.FindStringSubmatch(line); m != nil {
				s.email, s.password = m[1], m[2]
			}
			if m := keyLine.FindStringSubmatch(line); m != nil {
				s.key = m[1]
			}
			if m := jobsLine.FindStringSubmatch(line); m != nil {
				s.jobs = m[1]
			}
		case <-deadline:
			t.Fatalf("serve printed no API key; stdout so far:\n%s", strings.Join(seen, "\n"))
		}
	}
	go func() { // keep draining stdout (the "Try:" line and anything later)
		for range lines {
		}
	}()
	if s.url == "" || s.email == "" || s.password == "" {
		t.Fatalf("serve output lacks the address or sign-in:\n%s", strings.Join(seen, "\n"))
	}
	return s
}

// stop cancels the server's context and checks it exits 0.
func (s *running) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited %d after cancel; stderr:\n%s", code, s.stderr)
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

type customerList struct {
	Data []struct {
		Number         string `json:"number"`
		Name           string `json:"name"`
		HasBillingInfo bool   `json:"has_billing_info"`
	} `json:"data"`
	HasMore bool `json:"has_more"`
}

func (s *running) customers(t *testing.T, key string) (int, customerList) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+"/api/v1/customers?limit=100", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /api/v1/customers: %v", err)
	}
	defer resp.Body.Close()
	var out customerList
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("decode customers: %v", err)
		}
	}
	return resp.StatusCode, out
}

func TestServeDemo(t *testing.T) {
	clearEnv(t)
	dbPath := filepath.Join(t.TempDir(), "demo.db")

	first := serve(t, dbPath)
	if first.email != demo.AdminEmail {
		t.Errorf("sign-in email %q, want %q", first.email, demo.AdminEmail)
	}
	code, list := first.customers(t, first.key)
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/customers with the printed key: %d", code)
	}
	var names []string
	withoutBilling := 0
	for _, c := range list.Data {
		names = append(names, c.Name)
		if !c.HasBillingInfo {
			withoutBilling++
		}
	}
	for _, want := range []string{"Northwind Traders", "Contoso Hosting", "Ferretería Núñez", "Clínica Dental Peña", "Padaria São João", "Construções Araújo & Filhos"} {
		if !slices.Contains(names, want) {
			t.Errorf("demo customers %q lack %q", names, want)
		}
	}
	if len(list.Data) != 8 || withoutBilling != 1 || list.HasMore {
		t.Errorf("%d demo customers, %d without billing info, has_more %v", len(list.Data), withoutBilling, list.HasMore)
	}
	if code, _ := first.customers(t, "fk_not-a-real-key"); code != http.StatusUnauthorized {
		t.Errorf("a wrong key gets %d, want 401", code)
	}
	first.stop(t)

	// A second start on the same database: no new data, fresh secrets.
	second := serve(t, dbPath)
	if second.key == first.key || second.password == first.password {
		t.Fatal("the second start printed the same key or password")
	}
	code, list = second.customers(t, second.key)
	if code != http.StatusOK || len(list.Data) != 8 {
		t.Errorf("second start: %d, %d customers", code, len(list.Data))
	}
	second.stop(t)

	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := service.New(db)
	if _, err := svc.Login(ctx, demo.AdminEmail, second.password, "", "127.0.0.1"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	_, err = svc.Login(ctx, demo.AdminEmail, first.password, "", "127.0.0.1")
	if fail.CodeOf(err) != fail.Unauthenticated {
		t.Errorf("the old password: %v, want unauthenticated", err)
	}
	// Every demo user got the new password.
	if _, err := svc.Login(ctx, "portal@padariasaojoao.example", second.password, "", "127.0.0.1"); err != nil {
		t.Errorf("the portal user's new password: %v", err)
	}
	if p, err := svc.AuthenticateAPIKey(ctx, second.key); err != nil || p.Role != access.Administrator {
		t.Errorf("the second key: %+v, %v", p, err)
	}
	ts, err := svc.ListTenants(ctx)
	if err != nil || len(ts) != 1 {
		t.Errorf("%d tenants after two demo starts, %v", len(ts), err)
	}
}

func TestServeAddressInUse(t *testing.T) {
	clearEnv(t)
	s := serve(t, filepath.Join(t.TempDir(), "a.db"))
	addr := strings.TrimPrefix(s.url, "http://")
	code, stdout, stderr := cli(t, "serve", "--db", filepath.Join(t.TempDir(), "b.db"), "--addr", addr, "--log-level", "error")
	if code != 1 || !strings.Contains(stderr, "listen on "+addr) || strings.Contains(stdout, "is serving") {
		t.Errorf("second server on %s: exit %d, stdout %q, stderr %q", addr, code, stdout, stderr)
	}
	s.stop(t)
}

// TestServeSendsEmail: serve's email job sends the demo's outbox through a
// real SMTP server, signing in with the user and password of
// $FACTURO_SMTP_URL, which appears in neither the logs nor --help.
func TestServeSendsEmail(t *testing.T) {
	clearEnv(t)
	mp := mailpit.Start(t, "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	const password = "s3cret-smtp-pass"
	t.Setenv("FACTURO_SMTP_URL", "smtp://facturo:"+password+"@"+mp.SMTP)
	t.Setenv("FACTURO_SMTP_FROM", "Nimbus Billing <billing@nimbus.example>")
	if _, stdout, stderr := cli(t, "serve", "--help"); strings.Contains(stdout+stderr, password) || !strings.Contains(stdout+stderr, "FACTURO_SMTP_URL") {
		t.Errorf("serve --help shows the SMTP password or lacks $FACTURO_SMTP_URL:\n%s%s", stdout, stderr)
	}
	s := serve(t, filepath.Join(t.TempDir(), "mail.db"), "--log-level", "debug")
	deadline := time.Now().Add(time.Minute) // a guard against a hang: the job sends at start
	// The demo's two published invoices (its payments and dunning also
	// send receipts and reminders, whose subjects start otherwise).
	invoices := func() []mailpit.Summary {
		var out []mailpit.Summary
		for _, m := range mp.Messages() {
			if strings.HasPrefix(m.Subject, "Factura ") || strings.HasPrefix(m.Subject, "Fatura ") || strings.HasPrefix(m.Subject, "Invoice ") {
				out = append(out, m)
			}
		}
		return out
	}
	var got []mailpit.Summary
	for len(got) < 2 && time.Now().Before(deadline) {
		got = invoices()
		if len(got) < 2 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	s.stop(t)
	if len(got) != 2 {
		t.Fatalf("%d invoice emails arrived, want the demo's two; stderr:\n%s", len(got), s.stderr)
	}
	subjects := []string{got[0].Subject, got[1].Subject}
	slices.Sort(subjects)
	if !strings.HasPrefix(subjects[0], "Factura ") || !strings.HasPrefix(subjects[1], "Fatura ") {
		t.Errorf("subjects %q: want the Spanish and the Portuguese customer's", subjects)
	}
	if strings.Contains(s.stderr.String(), password) {
		t.Errorf("the SMTP password is in the log:\n%s", s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "email: sending through SMTP") {
		t.Errorf("no log line about the SMTP server:\n%s", s.stderr)
	}
}

// helpCommands are the argument lists that print each command's flags.
var helpCommands = [][]string{{"serve"}, {"migrate"}, {"tenant", "create"}, {"tenant", "list"}, {"user", "create"},
	{"apikey", "create"}, {"billing-run"}, {"jobs", "list"}, {"jobs", "retry"}}

// TestHelpMasksSecrets: a database or SMTP URL taken from the environment is
// shown in --help without its password, whichever command prints it.
func TestHelpMasksSecrets(t *testing.T) {
	clearEnv(t)
	t.Setenv("FACTURO_DATABASE_URL", "postgres://facturo:db-Secret-42@db.internal:5432/facturo?sslmode=disable")
	t.Setenv("FACTURO_SMTP_URL", "smtp://mailer:smtp-Secret-42@mail.internal:587")
	for _, args := range helpCommands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, append(args, "--help")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			all := stdout + stderr
			if strings.Contains(all, "Secret-42") {
				t.Errorf("--help prints a password:\n%s", all)
			}
			if !strings.Contains(all, "postgres://facturo:xxxxx@db.internal:5432/facturo") {
				t.Errorf("--help should show the database URL with its password masked:\n%s", all)
			}
		})
	}
	if got := redactSecret("host=db user=f password='p w' dbname=x"); strings.Contains(got, "p w") {
		t.Errorf("key=value password kept: %s", got)
	}
}

// TestEveryFlagHasEnvironment: every flag of every command names its
// environment variable in --help, and setting that variable sets the flag.
func TestEveryFlagHasEnvironment(t *testing.T) {
	clearEnv(t)
	seen := map[string]string{}
	for _, args := range helpCommands {
		_, stdout, stderr := cli(t, append(args, "--help")...)
		for _, line := range strings.Split(stdout+stderr, "\n") {
			if !strings.HasPrefix(line, "  --") {
				continue
			}
			flagName, _, _ := strings.Cut(strings.TrimPrefix(line, "  --"), " ")
			_, env, ok := strings.Cut(line, "[$")
			if !ok {
				t.Errorf("facturo %s: --%s has no environment variable: %q", strings.Join(args, " "), flagName, line)
				continue
			}
			env = strings.TrimSuffix(env, "]")
			if !strings.HasPrefix(env, "FACTURO_") {
				t.Errorf("--%s: variable %s lacks the FACTURO_ prefix", flagName, env)
			}
			seen[strings.Join(args, " ")+" --"+flagName] = env
		}
	}
	if len(seen) < 25 {
		t.Fatalf("found only %d flags in the help texts: %v", len(seen), seen)
	}
	// A derived variable sets its flag: billing-run --from.
	if env := seen["billing-run --from"]; env != "FACTURO_BILLING_RUN_FROM" {
		t.Errorf("billing-run --from reads %q, want FACTURO_BILLING_RUN_FROM", env)
	}
	t.Setenv("FACTURO_USER_ROLE", "finance")
	f := newFlags("user create", "", io.Discard)
	role := f.String("role", "", "administrator", "")
	if err := f.parse(nil); err != nil || *role != "finance" {
		t.Errorf("FACTURO_USER_ROLE=finance gave --role %q (%v)", *role, err)
	}
}

// TestBooleanVariables: a switch accepts on/off, true/false and 1/0 from the
// environment and the command line; anything else stops the command at once
// naming the variable.
func TestBooleanVariables(t *testing.T) {
	clearEnv(t)
	for _, tt := range []struct {
		env  string
		want bool
	}{{"on", true}, {"ON", true}, {"true", true}, {"1", true}, {"off", false}, {"False", false}, {"0", false}} {
		t.Setenv("FACTURO_WEBHOOKS", tt.env)
		f := newFlags("serve", "", io.Discard)
		webhooks := f.Bool("webhooks", "FACTURO_WEBHOOKS", !tt.want, "")
		if err := f.parse(nil); err != nil || *webhooks != tt.want {
			t.Errorf("FACTURO_WEBHOOKS=%s: %v (%v), want %v", tt.env, *webhooks, err, tt.want)
		}
	}
	t.Setenv("FACTURO_WEBHOOKS", "")
	f := newFlags("serve", "", io.Discard)
	demo := f.Bool("demo", "FACTURO_DEMO", false, "")
	if err := f.parse([]string{"--demo=on"}); err != nil || !*demo {
		t.Errorf("--demo=on: %v (%v)", *demo, err)
	}
	t.Chdir(t.TempDir())
	t.Setenv("FACTURO_WEBHOOKS", "maybe")
	code, _, stderr := cli(t, "serve", "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(stderr, "FACTURO_WEBHOOKS") || !strings.Contains(stderr, "on or off") {
		t.Errorf("FACTURO_WEBHOOKS=maybe: exit %d, stderr %q; want a start-up error naming the variable", code, stderr)
	}
	if _, err := os.Stat("facturo.db"); err == nil {
		t.Error("a bad switch still opened the database")
	}
}
