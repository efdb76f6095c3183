package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/jobs"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/webhook"
)

// openDB opens and migrates the database.
func openDB(ctx context.Context, dsn string, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("serve", "Runs the API (/api/v1), web console, customer portal and background jobs.", stderr)
	dsn := f.dbFlag()
	addr := f.String("addr", "FACTURO_ADDR", "127.0.0.1:8080", "address to listen on (use :8080 to listen on every interface)")
	withDemo := f.Bool("demo", "FACTURO_DEMO", false, "create a demo tenant on first start and print a login and an API key")
	logLevel := f.String("log-level", "FACTURO_LOG_LEVEL", "info", "debug, info, warn or error")
	secure := f.Bool("secure-cookies", "FACTURO_SECURE_COOKIES", false, "mark session cookies Secure (set when served over HTTPS)")
	pay := paymentFlags(f)
	smtp := addSMTPFlags(f)
	publicURL := f.String("public-url", "FACTURO_PUBLIC_URL", "", "public base URL of this server (https://billing.example.com), for the portal links in emails; default: the listen address")
	webhooks := f.Bool("webhooks", "FACTURO_WEBHOOKS", true, "deliver webhooks to the tenants' endpoints (false keeps them queued)")
	allowPrivate := f.Bool("webhooks-allow-private", "FACTURO_WEBHOOKS_ALLOW_PRIVATE", false,
		"let webhook endpoints target private, loopback and link-local addresses (refused by default, at registration and at each delivery)")
	adminAddr := f.String("admin-addr", "FACTURO_ADMIN_ADDR", "",
		"serve the operators' job UI (River's, at /riverui/: every tenant's jobs, retry, cancel) on this loopback address, e.g. 127.0.0.1:8081; off by default (a free loopback port with --demo)")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := checkLoopback("admin-addr", *adminAddr); err != nil {
		return err
	}
	if *withDemo && *adminAddr == "" {
		*adminAddr = "127.0.0.1:0" // the demo shows the job UI too, on a free port
	}
	ctx, cancel := context.WithCancel(ctx) // stops the background work however serve ends
	defer cancel()
	log := newLogger(stderr, *logLevel)
	slog.SetDefault(log)
	db, err := openDB(ctx, *dsn, log)
	if err != nil {
		return err
	}
	defer db.Close()
	provider, err := pay.provider()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close() // closed by Serve; this covers the returns before it
	url := "http://" + displayAddr(ln.Addr().String())
	m, err := smtp.mailer(log)
	if err != nil {
		return err
	}
	opts := []service.Option{service.WithPaymentProvider(provider), service.WithPortalURL(url)}
	if *publicURL != "" {
		opts = append(opts, service.WithPortalURL(*publicURL))
	}
	if m != nil {
		opts = append(opts, service.WithMailer(m))
	}
	if *webhooks {
		opts = append(opts, service.WithWebhookSender(webhook.NewSender(*allowPrivate)))
	}
	if *allowPrivate {
		opts = append(opts, service.WithPrivateWebhookTargets())
	}
	svc := service.New(db, opts...)
	var login demo.Login
	if *withDemo {
		if login, err = demo.Ensure(ctx, svc); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	srv := &http.Server{Handler: server.New(svc, db, server.Config{Log: log, SecureCookies: *secure}),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	periodic, err := jobs.New(db, svc, jobs.Config{Logger: log})
	if err != nil {
		return err
	}
	var admin *http.Server
	var adminLn net.Listener
	if *adminAddr != "" {
		ui, err := periodic.UI(ctx, "/riverui")
		if err != nil {
			return err
		}
		if adminLn, err = net.Listen("tcp", *adminAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", *adminAddr, err)
		}
		defer adminLn.Close()
		admin = &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second}
	}
	fmt.Fprintf(stdout, "Facturo %s is serving %s (database: %s)\n", version, url, store.Redact(*dsn))
	fmt.Fprintf(stdout, "  Console:   %s/console   (customers sign in to %s/portal)\n", url, url)
	fmt.Fprintf(stdout, "  API docs:  %s/api/v1/docs\n", url)
	if admin != nil {
		fmt.Fprintf(stdout, "  Jobs:      http://%s/riverui/   (operators only, on loopback)\n", adminLn.Addr())
	}
	if *withDemo {
		fmt.Fprintf(stdout, "  Sign in:   %s  password %s  (every demo user has this password; it changes at each --demo start)\n", login.Email, login.Password)
		fmt.Fprintf(stdout, "  API key:   %s\n", login.APIKey)
		fmt.Fprintf(stdout, "  Try:       curl -H 'Authorization: Bearer %s' %s/api/v1/customers\n", login.APIKey, url)
	}
	if err := periodic.Start(ctx); err != nil {
		return err
	}
	defer periodic.Stop(20 * time.Second) //nolint:errcheck // the shutdown below stops it first
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if admin != nil {
		go func() { errc <- admin.Serve(adminLn) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if admin != nil {
		if err := admin.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	if err := periodic.Stop(15 * time.Second); err != nil { // let the jobs in flight finish
		log.Warn("stopping jobs", "err", err)
	}
	return nil
}

// checkLoopback refuses, on flag, an address that is not on loopback ("" is
// off): what is served there has no sign-in of its own.
func checkLoopback(flag, addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fail.Field(flag, "%q is not host:port (e.g. 127.0.0.1:8081)", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fail.Field(flag, "%q is not a loopback address: the job UI has no sign-in, so bind it to 127.0.0.1 or [::1] and reach it through an SSH tunnel", addr)
	}
	return nil
}

func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func runMigrate(ctx context.Context, args []string, _, stderr io.Writer) error {
	f := newFlags("migrate", "Applies every pending database migration, then exits. serve also migrates on start.", stderr)
	dsn := f.dbFlag()
	if err := f.parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, newLogger(stderr, "info"))
	if err != nil {
		return err
	}
	return db.Close()
}

// runRebuildSummaries recomputes the summaries Facturo keeps beside the
// journal and the invoices (daily ledger totals, receivable dues, the
// amount sort key on SQLite), for rows changed outside Facturo: with the
// sqlite3 shell or psql, or a bulk import.
func runRebuildSummaries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("rebuild-summaries", "Recomputes the ledger and receivable summaries from the journal and the invoices, in one transaction. Run it after changing invoices or journal rows by hand (sqlite3, psql).", stderr)
	dsn := f.dbFlag()
	if err := f.parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, newLogger(stderr, "info"))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RebuildSummaries(ctx); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, "summaries rebuilt")
	return err
}

// subcommand checks args names one of subs and returns the rest. --help
// lists the subcommands and is not an error.
func subcommand(args []string, name string, stderr io.Writer, subs ...string) (string, []string, error) {
	usage := fmt.Sprintf("usage: facturo %s %s [flags]", name, strings.Join(subs, "|"))
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintf(stderr, "%s\n\nRun 'facturo %s %s --help' for its flags.\n", usage, name, subs[0])
		return "", nil, flag.ErrHelp
	}
	if len(args) == 0 || !slices.Contains(subs, args[0]) {
		return "", nil, errors.New(usage)
	}
	return args[0], args[1:], nil
}

func runTenant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, err := subcommand(args, "tenant", stderr, "create", "list")
	if err != nil {
		return err
	}
	if sub == "list" {
		f := newFlags("tenant list", "Lists the tenants.", stderr)
		dsn := f.dbFlag()
		if err := f.parse(rest); err != nil {
			return err
		}
		db, err := openDB(ctx, *dsn, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		ts, err := service.New(db).ListTenants(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Currency, t.TimeZone)
		}
		return nil
	}
	f := newFlags("tenant create", "Creates a tenant: one provider business with its own customers, users, numbering and ledger.", stderr)
	dsn := f.dbFlag()
	name := f.String("name", "", "", "trading name (required)")
	legal := f.String("legal-name", "", "", "legal name on invoices (default: the name)")
	taxID := f.String("tax-id", "", "", "tax id")
	cur := f.String("currency", "", "EUR", "accounting currency (ISO 4217)")
	tz := f.String("time-zone", "", "UTC", "IANA time zone for invoice dates")
	lang := f.String("language", "", "en", "default language: en, es or pt-BR")
	country := f.String("country", "", "", "ISO 3166 country code")
	if err := f.parse(rest); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := service.New(db).CreateTenant(ctx, billing.Tenant{Name: *name, LegalName: *legal, TaxID: *taxID, Currency: *cur,
		TimeZone: *tz, Language: *lang, Address: billing.Address{Country: *country}})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, t.ID)
	return nil
}

// tenantFor resolves --tenant, defaulting to the only tenant.
func tenantFor(ctx context.Context, svc *service.Service, tenant string) (string, error) {
	if tenant != "" {
		return tenant, nil
	}
	ts, err := svc.ListTenants(ctx)
	if err != nil {
		return "", err
	}
	if len(ts) != 1 {
		return "", fail.Field("tenant", "name the tenant (facturo tenant list shows %d)", len(ts))
	}
	return ts[0].ID, nil
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, rest, err := subcommand(args, "user", stderr, "create")
	if err != nil {
		return err
	}
	f := newFlags("user create", "Creates a user. The password is read from $FACTURO_PASSWORD, or generated and printed.", stderr)
	dsn := f.dbFlag()
	tenant := f.String("tenant", "FACTURO_TENANT", "", "tenant id (default: the only tenant)")
	email := f.String("email", "", "", "email address (required)")
	name := f.String("name", "", "", "full name (required)")
	role := f.String("role", "", "administrator", "role: "+roleNames())
	customer := f.String("customer", "", "", "customer id, for the customer role")
	lang := f.String("language", "", "en", "en, es or pt-BR")
	if err := f.parse(rest); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := service.New(db)
	tid, err := tenantFor(ctx, svc, *tenant)
	if err != nil {
		return err
	}
	password, generated := os.Getenv("FACTURO_PASSWORD"), false
	if password == "" {
		password, generated = access.RandomPassword(), true
	}
	u, err := svc.CreateUser(ctx, access.System(tid, "cli"), service.NewUser{Email: *email, Name: *name, Role: *role,
		CustomerID: *customer, Password: password, Language: *lang})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s, %s)\n", u.ID, u.Email, u.Role)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, rest, err := subcommand(args, "apikey", stderr, "create")
	if err != nil {
		return err
	}
	f := newFlags("apikey create", "Creates an API key bound to a role and prints it once.", stderr)
	dsn := f.dbFlag()
	tenant := f.String("tenant", "FACTURO_TENANT", "", "tenant id (default: the only tenant)")
	name := f.String("name", "", "cli", "what the key is for")
	role := f.String("role", "", "administrator", "role the key acts with")
	customer := f.String("customer", "", "", "customer id, for the customer role")
	if err := f.parse(rest); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := service.New(db)
	tid, err := tenantFor(ctx, svc, *tenant)
	if err != nil {
		return err
	}
	k, err := svc.CreateAPIKey(ctx, access.System(tid, "cli"), service.NewAPIKey{Name: *name, Role: *role, CustomerID: *customer})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, k.Secret)
	return nil
}

// roleNames lists the roles (access.Roles) for the help of --role.
func roleNames() string {
	names := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
