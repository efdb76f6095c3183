package facturo_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// adHocDigits matches an amount rounded or padded to a fixed number of
// decimals instead of its currency's: StringFixed(2), Round(2) and the
// template forms.
var adHocDigits = regexp.MustCompile(`\b(StringFixed|Round|RoundBank|StringRound)\(\s*[0-9]+\s*\)|\.(StringFixed|Round) [0-9]+\b`)

// TestNoAdHocAmountDigits is part of the class guard of issue 12's
// currency digits: no code or template outside the money package rounds
// or formats with a fixed number of decimals; amounts go through
// money.Fixed, money.Price, Currency.Round or Amount.Format, which take the
// currency's digits. Tests may use fixed digits for their expectations.
func TestNoAdHocAmountDigits(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != "." || d.Name() == "money" || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".html")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if adHocDigits.MatchString(line) {
				t.Errorf("%s:%d: fixed decimals for an amount; use money.Fixed, money.Price or the currency's Round: %s", p, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
