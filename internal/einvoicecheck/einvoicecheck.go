// Package einvoicecheck checks e-invoices against the official EN 16931
// rules with the kit in ../shared/einvoice, as its validate.sh does, but
// with one Java start for a whole batch instead of one per document: the
// XML Schema by xmllint (one call per schema), the compiled Schematron
// rules by Saxon-HE through batch.xsl, which runs the rules' stylesheet,
// compiled once, over every document. TestCheckAgreesWithValidateSh keeps
// its verdicts those of validate.sh.
package einvoicecheck

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

//go:embed batch.xsl
var batchXSL []byte

// Kit is the validation kit: the directory holding validate.sh, the XML
// schemas (xsd/) and the compiled rules (en16931/), and Saxon-HE's jar.
type Kit struct {
	Dir   string
	Saxon string
}

// Find locates the kit beside the repository that holds the working
// directory (../shared/einvoice next to the directory with go.mod) and
// checks its tools. The error names what is missing and how to install it.
func Find() (Kit, error) {
	dir, err := os.Getwd()
	if err != nil {
		return Kit{}, err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return Kit{}, errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
	k := Kit{Dir: filepath.Join(filepath.Dir(dir), "shared", "einvoice"), Saxon: os.Getenv("SAXON_JAR")}
	if k.Saxon == "" {
		k.Saxon = "/usr/share/java/Saxon-HE.jar"
	}
	if _, err := os.Stat(filepath.Join(k.Dir, "validate.sh")); err != nil {
		return Kit{}, fmt.Errorf("the e-invoice kit %s (../shared beside the repository)", k.Dir)
	}
	for _, tool := range []string{"java", "xmllint"} {
		if _, err := exec.LookPath(tool); err != nil {
			return Kit{}, fmt.Errorf("%s (apt-get install default-jre-headless libsaxonhe-java libxml2-utils)", tool)
		}
	}
	if _, err := os.Stat(k.Saxon); err != nil {
		return Kit{}, fmt.Errorf("Saxon-HE's jar %s (apt-get install libsaxonhe-java)", k.Saxon)
	}
	return k, nil
}

// Verdict is what the rules say of one document: each fatal finding
// ("XSD <message>" for the schema, "<rule id> <text>" for a business rule)
// and how many warnings.
type Verdict struct {
	File     string
	Fatal    []string
	Warnings int
}

// Valid reports whether no fatal rule failed (warnings allowed), as
// validate.sh's "RESULT: VALID".
func (v Verdict) Valid() bool { return len(v.Fatal) == 0 }

// FatalIDs returns the ids of the business rules that failed fatally
// ("XSD" for a schema error, "XML" for a document that is not a supported
// well-formed e-invoice), in order.
func (v Verdict) FatalIDs() []string {
	var out []string
	for _, f := range v.Fatal {
		id, _, _ := strings.Cut(f, " ")
		out = append(out, id)
	}
	return out
}

// syntax is how the kit reads one kind of document: its schema and rules.
type syntax struct {
	name   string // UBL or CII, as in the rules' file name
	schema string // path under xsd/
}

// syntaxOf tells the syntax of a document from its root element.
func syntaxOf(ns, root string) (syntax, bool) {
	switch ns {
	case "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2":
		return syntax{"UBL", "ubl-2.1/maindoc/UBL-" + root + "-2.1.xsd"}, true
	case "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100":
		return syntax{"CII", "cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"}, true
	}
	return syntax{}, false
}

// rootOf reads a document's root element; an error for one that is not
// well-formed up to it.
func rootOf(file string) (xml.Name, error) {
	f, err := os.Open(file)
	if err != nil {
		return xml.Name{}, err
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.Name{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name, nil
		}
	}
}

// Check checks files (UBL 2.1 Invoice or CreditNote, CII D16B) and returns
// one verdict per file, in order. The error is for the run itself (a tool
// that failed, output it cannot read), never for a document.
func (k Kit) Check(files []string) ([]Verdict, error) {
	out := make([]Verdict, len(files))
	bySchema := map[string][]int{}
	bySyntax := map[string][]int{}
	for i, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(abs, " \t\n") {
			return nil, fmt.Errorf("%q: the batch needs paths without spaces", abs)
		}
		out[i].File = abs
		// xmllint checks well-formedness whole; the root decides the syntax.
		if err := exec.Command("xmllint", "--noout", "--nonet", abs).Run(); err != nil {
			out[i].Fatal = append(out[i].Fatal, "XML not well-formed")
			continue
		}
		name, err := rootOf(abs)
		if err != nil {
			out[i].Fatal = append(out[i].Fatal, "XML not well-formed")
			continue
		}
		sx, ok := syntaxOf(name.Space, name.Local)
		if !ok {
			out[i].Fatal = append(out[i].Fatal, fmt.Sprintf("XML unsupported root {%s}%s", name.Space, name.Local))
			continue
		}
		bySchema[sx.schema] = append(bySchema[sx.schema], i)
		bySyntax[sx.name] = append(bySyntax[sx.name], i)
	}
	for schema, idx := range bySchema {
		if err := k.checkSchema(schema, idx, out); err != nil {
			return nil, err
		}
	}
	for name, idx := range bySyntax {
		if err := k.checkRules(name, idx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkSchema validates the documents out[idx] against schema in one
// xmllint call, adding each error to its document's verdict.
func (k Kit) checkSchema(schema string, idx []int, out []Verdict) error {
	args := []string{"--noout", "--nonet", "--schema", filepath.Join(k.Dir, "xsd", schema)}
	byFile := map[string]int{}
	for _, i := range idx {
		args = append(args, out[i].File)
		byFile[out[i].File] = i
	}
	var buf bytes.Buffer
	cmd := exec.Command("xmllint", args...)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return fmt.Errorf("xmllint: %w", err)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasSuffix(line, " validates"):
			seen[strings.TrimSuffix(line, " validates")] = true
		case strings.HasSuffix(line, " fails to validate"):
			seen[strings.TrimSuffix(line, " fails to validate")] = true
		default:
			file, _, ok := strings.Cut(line, ":")
			if i, known := byFile[file]; ok && known {
				out[i].Fatal = append(out[i].Fatal, "XSD "+line)
			}
		}
	}
	for _, i := range idx {
		if !seen[out[i].File] {
			return fmt.Errorf("xmllint said nothing of %s:\n%s", out[i].File, buf.String())
		}
	}
	return nil
}

// ruleLine is one finding of batch.xsl: src, flag, id, text, location.
var ruleLine = regexp.MustCompile(`^(file:[^\t]+)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$`)

// checkRules runs the compiled EN 16931 rules of syntax name over the
// documents out[idx] in one Java start, adding each finding to its
// document's verdict: flags fatal and error are fatal, others warnings
// (as validate.sh counts them).
func (k Kit) checkRules(name string, idx []int, out []Verdict) error {
	dir, err := os.MkdirTemp("", "einvoicecheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	driver := filepath.Join(dir, "batch.xsl")
	if err := os.WriteFile(driver, batchXSL, 0o600); err != nil {
		return err
	}
	bySrc := map[string]int{}
	var srcs []string
	for _, i := range idx {
		src := "file://" + out[i].File
		srcs = append(srcs, src)
		bySrc[src] = i
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("java", "-cp", k.Saxon, "net.sf.saxon.Transform", "-it", "-xsl:"+driver,
		"srcs="+strings.Join(srcs, " "), "xslt=file://"+filepath.Join(k.Dir, "en16931", "EN16931-"+name+"-validation.xslt"))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the %s rules run failed: %w\n%s", name, err, stderr.String())
	}
	done := map[string]bool{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if src, ok := strings.CutSuffix(line, "\tdone"); ok {
			done[src] = true
			continue
		}
		m := ruleLine.FindStringSubmatch(line)
		i, known := 0, false
		if m != nil {
			i, known = bySrc[m[1]]
		}
		if !known {
			return fmt.Errorf("the %s rules printed a line for no document given: %q", name, line)
		}
		switch m[2] {
		case "fatal", "error":
			out[i].Fatal = append(out[i].Fatal, m[3]+" "+m[4]+" @ "+m[5])
		default:
			out[i].Warnings++
		}
	}
	for src := range bySrc {
		if !done[src] {
			return fmt.Errorf("the %s rules did not finish %s:\n%s", name, src, stderr.String())
		}
	}
	return nil
}
