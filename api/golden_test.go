package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current code")

// goldenAPI registers every operation on a fresh API, as the server does.
func goldenAPI(t *testing.T) huma.API {
	t.Helper()
	a := humago.New(http.NewServeMux(), Config("golden"))
	(&Handlers{}).Register(a)
	return a
}

// compareGolden compares got with testdata/name, or rewrites it with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (write it with go test ./api -run %s -update): %v", path, t.Name(), err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w []byte
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if !bytes.Equal(g, w) {
				t.Fatalf("%s differs from the code at line %d:\n  golden: %s\n  code:   %s\n(if the change is intended, rerun with -update)", path, i+1, w, g)
			}
		}
	}
}

// TestOpenAPIGolden renders the whole OpenAPI document (routes, operation
// ids, parameters, schemas, status codes, security) and compares it with
// testdata/openapi.golden.json: a refactoring that changes nothing visible
// leaves the file as it is.
func TestOpenAPIGolden(t *testing.T) {
	t.Parallel()
	doc, err := json.MarshalIndent(goldenAPI(t).OpenAPI(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "openapi.golden.json", append(doc, '\n'))
}

// TestOperationsGolden covers what the OpenAPI document leaves out of each
// operation: body limits, validation switches and metadata (the 413 wording
// reads them), compared with testdata/operations.golden.json.
func TestOperationsGolden(t *testing.T) {
	t.Parallel()
	type internals struct {
		MaxBodyBytes       int64          `json:"max_body_bytes,omitempty"`
		BodyReadTimeout    time.Duration  `json:"body_read_timeout,omitempty"`
		SkipValidateParams bool           `json:"skip_validate_params,omitempty"`
		SkipValidateBody   bool           `json:"skip_validate_body,omitempty"`
		Hidden             bool           `json:"hidden,omitempty"`
		Metadata           map[string]any `json:"metadata,omitempty"`
		Middlewares        int            `json:"middlewares,omitempty"`
	}
	ops := map[string]internals{}
	for path, item := range goldenAPI(t).OpenAPI().Paths {
		for method, o := range map[string]*huma.Operation{"GET": item.Get, "PUT": item.Put, "POST": item.Post,
			"DELETE": item.Delete, "PATCH": item.Patch, "HEAD": item.Head, "OPTIONS": item.Options} {
			if o == nil {
				continue
			}
			k := method + " " + path + " " + o.OperationID
			ops[k] = internals{MaxBodyBytes: o.MaxBodyBytes, BodyReadTimeout: o.BodyReadTimeout,
				SkipValidateParams: o.SkipValidateParams, SkipValidateBody: o.SkipValidateBody, Hidden: o.Hidden,
				Metadata: o.Metadata, Middlewares: len(o.Middlewares)}
		}
	}
	if len(ops) == 0 {
		t.Fatal("no operations registered")
	}
	out, err := json.MarshalIndent(ops, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "operations.golden.json", append(out, '\n'))
}
