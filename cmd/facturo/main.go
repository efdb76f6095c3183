// Command facturo runs Facturo: the API, web console and portal, and
// background jobs in one binary, on SQLite or PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones without the host's tzdata

	"github.com/facturo/facturo/fail"
)

type command struct {
	name, summary string
	// run writes results to stdout, and logs and flag help to stderr.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the API, console, portal and background jobs", runServe},
	{"migrate", "apply database migrations and exit", runMigrate},
	{"rebuild-summaries", "recompute the ledger and receivable summaries after rows were changed by hand", runRebuildSummaries},
	{"tenant", "create or list tenants (tenant create | tenant list)", runTenant},
	{"user", "create a user (user create)", runUser},
	{"apikey", "create an API key (apikey create)", runAPIKey},
	{"billing-run", "run or resume the billing run of a period, with progress", runBillingRun},
	{"jobs", "list the background jobs or retry a failed one (jobs list | jobs retry --id <id>)", runJobs},
	{"version", "print the version", func(_ context.Context, _ []string, w, _ io.Writer) error {
		_, err := fmt.Fprintln(w, "facturo", version)
		return err
	}},
}

var version = "0.1.0"

func usage(w io.Writer) {
	fmt.Fprintf(w, "Facturo %s: billing and invoicing for service providers.\n\nUsage: facturo <command> [flags]\n\nCommands:\n", version)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'facturo <command> --help' for a command's flags. Every flag can also be set by environment (shown in --help).\n")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			if err != nil {
				fmt.Fprintf(stderr, "facturo %s: %v\n", c.name, err)
				if e, ok := fail.As(err); ok {
					for _, f := range e.Fields {
						fmt.Fprintf(stderr, "  %s: %s\n", f.Field, f.Message)
					}
				}
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "facturo: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// flags is a flag set whose defaults come from the environment. Every flag
// has an environment variable: the one given, or FACTURO_<COMMAND>_<FLAG>
// derived from the command's first word and the flag's name.
type flags struct {
	*flag.FlagSet
	env    map[string]string
	secret map[string]bool // values --help shows redacted
	prefix string          // of derived variable names, e.g. FACTURO_USER_
	errs   []error         // environment values that could not be used
}

func newFlags(name, summary string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cmd, _, _ := strings.Cut(name, " ")
	f := &flags{FlagSet: fs, env: map[string]string{}, secret: map[string]bool{},
		prefix: "FACTURO_" + envName(cmd) + "_"}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: facturo %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		var names []string
		fs.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
		sort.Strings(names)
		for _, n := range names {
			fl := fs.Lookup(n)
			env := ""
			if e, ok := f.env[n]; ok {
				env = " [$" + e + "]"
			}
			def := ""
			if fl.DefValue != "" && fl.DefValue != "false" {
				v := fl.DefValue
				if f.secret[n] {
					v = redactSecret(v)
				}
				def = fmt.Sprintf(" (default %q)", v)
			}
			fmt.Fprintf(out, "  --%s%s%s\n      %s\n", n, def, env, fl.Usage)
		}
	}
	return f
}

// envName turns a command or flag name into the upper-case form used in
// environment variable names: billing-run → BILLING_RUN.
func envName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

// parse parses args and refuses positional arguments: a stray word ends flag
// parsing, and the flags after it would silently be ignored. An environment
// variable holding a value its flag cannot take is an error too.
func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return errors.Join(f.errs...)
	}
	if f.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: flags start with --, see --help", f.Arg(0))
	}
	return nil
}

// envFor records and returns the variable of flag name: env, or the derived one.
func (f *flags) envFor(name, env string) string {
	if env == "" {
		env = f.prefix + envName(name)
	}
	f.env[name] = env
	return env
}

// String declares a string flag whose default is taken from its environment variable when set.
func (f *flags) String(name, env, def, usage string) *string {
	if v, ok := os.LookupEnv(f.envFor(name, env)); ok {
		def = v
	}
	return f.FlagSet.String(name, def, usage)
}

// Secret declares a string flag that may hold a password (a database or
// SMTP URL, a key): --help shows its value redacted.
func (f *flags) Secret(name, env, def, usage string) *string {
	f.secret[name] = true
	return f.String(name, env, def, usage)
}

// Bool declares a boolean flag whose default is taken from its environment
// variable when set. The variable and the flag accept on/off, true/false and
// 1/0 (any case); anything else is an error when the command starts.
func (f *flags) Bool(name, env string, def bool, usage string) *bool {
	env = f.envFor(name, env)
	if v, ok := os.LookupEnv(env); ok && v != "" {
		b, err := parseBool(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("$%s: %w", env, err))
		} else {
			def = b
		}
	}
	p := new(bool)
	*p = def
	f.Var((*boolFlag)(p), name, usage)
	return p
}

// parseBool reads a switch: on/off, true/false or 1/0, in any case.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a switch value: use on or off, true or false, 1 or 0", s)
}

// boolFlag is a boolean flag that accepts parseBool's words (--webhooks=off).
type boolFlag bool

func (b *boolFlag) String() string {
	if b == nil || !*b {
		return "false"
	}
	return "true"
}

func (b *boolFlag) Set(s string) error {
	v, err := parseBool(s)
	if err != nil {
		return err
	}
	*b = boolFlag(v)
	return nil
}

// IsBoolFlag lets the flag be given without a value (--demo).
func (b *boolFlag) IsBoolFlag() bool { return true }

// redactSecret hides the password of a URL or key=value connection string,
// and any other secret value whole.
func redactSecret(v string) string {
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	if strings.Contains(v, "password=") {
		return kvPassword.ReplaceAllString(v, "${1}xxxxx")
	}
	if strings.ContainsAny(v, "/.") { // a file path, such as a SQLite database
		return v
	}
	return "xxxxx"
}

var kvPassword = regexp.MustCompile(`(password=)('[^']*'|\S*)`)

func (f *flags) dbFlag() *string {
	return f.Secret("db", "FACTURO_DATABASE_URL", "facturo.db", "database: a SQLite file path, or postgres://user:pass@host:5432/db")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
