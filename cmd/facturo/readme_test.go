package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestREADMEExamples runs the examples of README.md against `serve --demo`,
// so none of them can silently stop working: every command of its sh
// blocks (curl, facturo, go run ./cmd/facturo, open) and every inline
// "`METHOD /api/v1/path {json}`" example. Each must succeed.
func TestREADMEExamples(t *testing.T) {
	clearEnv(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	dbPath := filepath.Join(dir, "demo.db")
	s := serve(t, dbPath)
	x := &readmeRunner{t: t, s: s, dbPath: dbPath, dir: dir, env: map[string]string{}}
	x.customer = x.demoCustomer()

	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	ran := 0
	for _, b := range blocks {
		x.env = map[string]string{"KEY": s.key}
		for _, words := range shellCommands(t, b[1]) {
			if x.command(words) {
				ran++
			}
		}
	}
	inline := regexp.MustCompile("`(POST|PUT|PATCH|DELETE) (/api/v1/[^ `{]+) (\\{[^`]*\\})`").FindAllStringSubmatch(string(readme), -1)
	for _, m := range inline {
		x.http(m[1], s.url+m[2], []string{"Authorization: Bearer " + s.key, "Content-Type: application/json"}, m[3])
		ran++
	}
	t.Logf("ran %d README examples", ran)
	if ran < 12 {
		t.Errorf("ran only %d README examples: has the README lost its examples, or this test its way of finding them?", ran)
	}
	s.stop(t)
}

type readmeRunner struct {
	t          *testing.T
	s          *running
	dbPath     string
	dir        string
	env        map[string]string
	customer   string // a demo customer with billing information
	lastInvoce string // the invoice the latest example created
}

// command runs one README command and reports whether it ran.
func (x *readmeRunner) command(words []string) bool {
	t := x.t
	t.Helper()
	assign := map[string]string{}
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		k, v, _ := strings.Cut(words[0], "=")
		assign[k] = v
		words = words[1:]
	}
	if len(words) == 0 {
		return false
	}
	for i, w := range words {
		words[i] = x.expand(w)
	}
	switch words[0] {
	case "export":
		k, v, _ := strings.Cut(words[1], "=")
		if k == "FACTURO_DATABASE_URL" { // the README's PostgreSQL server: a database of our own
			v = filepath.Join(x.dir, "operator.db")
		}
		x.env[k] = v
		return false
	case "curl":
		var headers []string
		method, body, url := "", "", ""
		for i := 1; i < len(words); i++ {
			switch words[i] {
			case "-H":
				i++
				headers = append(headers, words[i])
			case "-d", "--data":
				i++
				body = words[i]
			case "-X":
				i++
				method = words[i]
			case "-OJ", "-O", "-J", "-s", "-f":
			default:
				url = words[i]
			}
		}
		if method == "" {
			method = http.MethodGet
			if body != "" {
				method = http.MethodPost
			}
		}
		x.http(method, url, headers, body)
		return true
	case "open":
		x.http(http.MethodGet, words[1], []string{"Authorization: Bearer " + x.s.key}, "")
		return true
	case "go":
		if len(words) >= 3 && words[1] == "test" {
			return false // the test command itself
		}
		if len(words) < 3 || words[1] != "run" || words[2] != "./cmd/facturo" {
			t.Errorf("README runs %q: this test does not know how to check it", strings.Join(words, " "))
			return false
		}
		if words[3] == "serve" {
			return false // what this test runs
		}
		// The README's go run examples work on the database serve --demo made.
		return x.facturo(words[3:], map[string]string{"FACTURO_DATABASE_URL": x.dbPath})
	case "facturo":
		if words[1] == "serve" {
			return false // a second server proves nothing the demo server does not
		}
		env := map[string]string{}
		for k, v := range x.env {
			env[k] = v
		}
		for k, v := range assign {
			env[k] = v
		}
		return x.facturo(words[1:], env)
	}
	t.Errorf("README runs %q: this test does not know how to check it", strings.Join(words, " "))
	return false
}

// facturo runs a CLI command with env set, and wants exit status 0.
func (x *readmeRunner) facturo(args []string, env map[string]string) bool {
	t := x.t
	t.Helper()
	for k, v := range env {
		if strings.HasPrefix(k, "FACTURO_") {
			t.Setenv(k, v)
		}
	}
	defer func() {
		for k := range env {
			if strings.HasPrefix(k, "FACTURO_") {
				os.Unsetenv(k)
			}
		}
	}()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Errorf("README example `facturo %s`: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return true
}

// expand fills the README's placeholders: $KEY and other variables, the
// demo server's address, and ids written as cus_… and inv_….
func (x *readmeRunner) expand(w string) string {
	w = strings.ReplaceAll(w, "http://127.0.0.1:8080", x.s.url)
	w = strings.ReplaceAll(w, "cus_…", x.customer)
	if x.lastInvoce != "" {
		w = strings.ReplaceAll(w, "inv_…", x.lastInvoce)
	}
	return os.Expand(w, func(k string) string {
		if v, ok := x.env[k]; ok {
			return v
		}
		return "$" + k
	})
}

// http sends one example request and wants a 2xx answer.
func (x *readmeRunner) http(method, url string, headers []string, body string) {
	t := x.t
	t.Helper()
	url = x.expand(url)
	body = x.expand(body)
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Errorf("README example %s %s: %v", method, url, err)
		return
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(x.expand(h), ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+x.s.key)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("README example %s %s: %v", method, url, err)
		return
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Errorf("README example %s %s %s: %d %s", method, strings.TrimPrefix(url, x.s.url), body, resp.StatusCode, got)
		return
	}
	var created struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(got, &created) == nil && strings.HasPrefix(created.ID, "inv_") {
		x.lastInvoce = created.ID
	}
}

// demoCustomer returns the id of a demo customer in euros with billing information.
func (x *readmeRunner) demoCustomer() string {
	t := x.t
	req, _ := http.NewRequest(http.MethodGet, x.s.url+"/api/v1/customers?limit=100", nil)
	req.Header.Set("Authorization", "Bearer "+x.s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct {
			ID             string `json:"id"`
			HasBillingInfo bool   `json:"has_billing_info"`
			Billing        struct {
				Currency string `json:"currency"`
			} `json:"billing"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Data {
		if c.HasBillingInfo && c.Billing.Currency == "EUR" {
			return c.ID
		}
	}
	t.Fatalf("no demo customer in EUR with billing information: %+v", list.Data)
	return ""
}

// shellCommands splits a block into commands as sh would for the README's
// simple ones: a newline outside quotes ends a command; single and double
// quotes (which may span lines), backslash escapes and # comments.
func shellCommands(t *testing.T, block string) [][]string {
	var cmds [][]string
	var words []string
	var cur strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(block); i++ {
		c := block[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(block[i+1:], '\'')
			if j < 0 {
				t.Fatalf("unclosed quote in README block %q", block)
			}
			cur.WriteString(block[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(block) && block[i] != '"'; i++ {
				if block[i] == '\\' && i+1 < len(block) {
					i++
				}
				cur.WriteByte(block[i])
			}
			inWord = true
		case c == '\\' && i+1 < len(block) && block[i+1] == '\n':
			i++
			endWord()
		case c == '\\' && i+1 < len(block):
			i++
			cur.WriteByte(block[i])
			inWord = true
		case c == ' ' || c == '\t':
			endWord()
		case c == '\n':
			endWord()
			if len(words) > 0 {
				cmds = append(cmds, words)
			}
			words = nil
		case c == '#' && !inWord:
			for i+1 < len(block) && block[i+1] != '\n' {
				i++
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	endWord()
	if len(words) > 0 {
		cmds = append(cmds, words)
	}
	return cmds
}
