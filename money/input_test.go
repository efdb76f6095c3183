package money

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
)

// TestReadDecimal: every decimal input is refused the same way: invalid,
// naming the field, quoting the input, with an example and the reason.
func TestReadDecimal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string // want: the decimal, or the reason of the refusal
	}{
		{"12.50", "12.5"},
		{"-3", "-3"},
		{"1,5", `unexpected character ','`},
		{"twelve", `unexpected character 't'`},
		{"5.", "missing digits after '.'"},
		{"0.1234567890123", "more than 12 fraction digits"},
		{"", "empty"},
	}
	for _, c := range cases {
		got, err := ReadDecimal("lines[0].quantity", c.in, "3")
		want, werr := decimal.NewFromString(c.want)
		if werr == nil {
			if err != nil || !got.Equal(want) {
				t.Errorf("ReadDecimal(%q) = %s, %v; want %s", c.in, got, err, c.want)
			}
			continue
		}
		e, ok := fail.As(err)
		if !ok || e.Code != fail.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "lines[0].quantity" {
			t.Errorf("ReadDecimal(%q): %#v, want one invalid field lines[0].quantity", c.in, err)
			continue
		}
		msg := e.Fields[0].Message
		for _, part := range []string{`"` + c.in + `"`, `such as "3"`, c.want} {
			if !strings.Contains(msg, part) {
				t.Errorf("ReadDecimal(%q): message %q lacks %q", c.in, msg, part)
			}
		}
	}
}

// TestCollectDecimal: an optional input reads "" as zero and adds its
// refusal to the collector, under its field.
func TestCollectDecimal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    string
		refused bool
	}{
		{"", "0", false},
		{"12.50", "12.5", false},
		{"-3", "-3", false},
		{"twelve", "0", true},
	}
	for _, c := range cases {
		var col fail.Collector
		got := CollectDecimal(&col, "amount", c.in, "12.50")
		if !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("CollectDecimal(%q) = %s, want %s", c.in, got, c.want)
		}
		err := col.Err()
		if (err != nil) != c.refused {
			t.Errorf("CollectDecimal(%q): refusal %v, want refused=%v", c.in, err, c.refused)
		}
		if e, ok := fail.As(err); c.refused && (!ok || e.Fields[0].Field != "amount") {
			t.Errorf("CollectDecimal(%q): %v, want a refusal of amount", c.in, err)
		}
	}
}
