package einvoicecheck_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/internal/einvoicecheck"
)

// kit finds the validation kit, failing in CI (CI=true) and skipping
// elsewhere when it or a tool is missing.
func kit(t *testing.T) einvoicecheck.Kit {
	t.Helper()
	k, err := einvoicecheck.Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the e-invoice check needs %v", err)
		}
		t.Skipf("the e-invoice check needs %v (see README, Test it)", err)
	}
	return k
}

// shellVerdict is what validate.sh printed of one file.
type shellVerdict struct {
	valid bool
	ids   []string
}

// runValidateSh runs the kit's own validate.sh over files and reads its
// verdict of each: RESULT VALID/INVALID and the ids of the fatal findings
// ("XSD", "XML" or the rule id).
func runValidateSh(t *testing.T, k einvoicecheck.Kit, files []string) map[string]shellVerdict {
	t.Helper()
	out, err := exec.Command(filepath.Join(k.Dir, "validate.sh"), files...).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("validate.sh: %v\n%s", err, out)
	}
	got := map[string]shellVerdict{}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "FATAL"):
			ids = append(ids, strings.Fields(line)[1])
		case strings.HasPrefix(line, "RESULT: "):
			f := strings.Fields(line)
			got[f[2]] = shellVerdict{valid: f[1] == "VALID", ids: ids}
			ids = nil
		}
	}
	return got
}

// TestCheckAgreesWithValidateSh: on the kit's official examples (UBL
// invoice and credit note, CII) and on documents broken in each way a
// check can catch (a business rule, the schema, well-formedness), the
// batch check gives validate.sh's verdict and the same fatal findings.
func TestCheckAgreesWithValidateSh(t *testing.T) {
	t.Parallel()
	k := kit(t)
	dir := t.TempDir()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(k.Dir, "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ubl := read("ubl-tc434-example1.xml")
	docs := map[string]string{
		"ubl.xml":        ubl,
		"creditnote.xml": read("ubl-tc434-creditnote1.xml"),
		"cii.xml":        read("CII_example1.xml"),
		"bad-total.xml":  strings.Replace(ubl, `<cbc:PayableAmount currencyID="EUR">250.33<`, `<cbc:PayableAmount currencyID="EUR">1.00<`, 1),
		"bad-schema.xml": strings.Replace(ubl, "<cbc:DueDate>", "<cbc:NoSuchElement>x</cbc:NoSuchElement><cbc:DueDate>", 1),
		"not-closed.xml": ubl[:len(ubl)/2],
		"wrong-root.xml": `<?xml version="1.0"?><Order xmlns="urn:example:order"/>`,
	}
	if docs["bad-total.xml"] == ubl || docs["bad-schema.xml"] == ubl {
		t.Fatal("the example changed: the broken documents are not broken")
	}
	var files []string
	for name, body := range docs {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	slices.Sort(files)
	want := runValidateSh(t, k, files)
	got, err := k.Check(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(files) {
		t.Fatalf("%d verdicts for %d files", len(got), len(files))
	}
	valid := 0
	for i, v := range got {
		name := filepath.Base(files[i])
		w, ok := want[files[i]]
		if !ok {
			t.Fatalf("validate.sh gave no verdict of %s", name)
		}
		gotIDs, wantIDs := slices.Sorted(slices.Values(v.FatalIDs())), slices.Sorted(slices.Values(w.ids))
		if v.Valid() != w.valid || !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s: check says valid=%v %v, validate.sh valid=%v %v", name, v.Valid(), gotIDs, w.valid, wantIDs)
		}
		if v.Valid() {
			valid++
		}
	}
	if valid != 3 {
		t.Errorf("%d documents valid, want the 3 official examples", valid)
	}
	for i, v := range got {
		if name := filepath.Base(files[i]); name == "bad-total.xml" && !slices.Contains(v.FatalIDs(), "BR-CO-16") {
			t.Errorf("the changed amount due broke no BR-CO-16: %v", v.Fatal)
		}
	}
}
