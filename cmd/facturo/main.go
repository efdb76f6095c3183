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
	"os"
	"os/signal"
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
	{"tenant", "create or list tenants (tenant create | tenant list)", runTenant},
	{"user", "create a user (user create)", runUser},
	{"apikey", "create an API key (apikey create)", runAPIKey},
	{"billing-run", "run or resume the billing run of a period, with progress", runBillingRun},
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

// flags is a flag set whose defaults come from the environment.
type flags struct {
	*flag.FlagSet
	env map[string]string
}

func newFlags(name, summary string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &flags{FlagSet: fs, env: map[string]string{}}
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
				def = fmt.Sprintf(" (default %q)", fl.DefValue)
			}
			fmt.Fprintf(out, "  --%s%s%s\n      %s\n", n, def, env, fl.Usage)
		}
	}
	return f
}

// parse parses args and refuses positional arguments: a stray word ends flag
// parsing, and the flags after it would silently be ignored.
func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: flags start with --, see --help", f.Arg(0))
	}
	return nil
}

// String declares a string flag whose default is taken from env when set.
func (f *flags) String(name, env, def, usage string) *string {
	if env != "" {
		f.env[name] = env
		if v, ok := os.LookupEnv(env); ok {
			def = v
		}
	}
	return f.FlagSet.String(name, def, usage)
}

// Bool declares a boolean flag whose default is taken from env when set.
func (f *flags) Bool(name, env string, def bool, usage string) *bool {
	if env != "" {
		f.env[name] = env
		if v, ok := os.LookupEnv(env); ok {
			def = v == "1" || strings.EqualFold(v, "true")
		}
	}
	return f.FlagSet.Bool(name, def, usage)
}

func (f *flags) dbFlag() *string {
	return f.String("db", "FACTURO_DATABASE_URL", "facturo.db", "database: a SQLite file path, or postgres://user:pass@host:5432/db")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
