package billing

// Proof that Compute's fixed-point fast path (compute_fast.go, fixed.go) is
// exact: on random invoices, Compute with the fast path, Compute on decimals
// only, and a frozen copy of the implementation before the fast path existed
// (referenceCompute, below) must leave every field identical — the same
// coefficient and exponent for every amount, the same tax codes and the same
// errors. Run the fuzz target with
//
//	go test -run '^$' -fuzz FuzzComputeFastPath -fuzztime 1m ./billing/

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// referenceCompute is Invoice.Compute as it was before the fast path, kept
// verbatim as the reference the new implementation must match exactly.
func referenceCompute(inv *Invoice, setup TaxSetup, accounting money.Currency) error {
	var c fail.Collector
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		c.Add("currency", "%q is not an ISO 4217 currency code", inv.Currency)
		return c.Err()
	}
	if len(inv.Lines) > MaxLines {
		c.Add("lines", "at most %d lines", MaxLines)
		return c.Err()
	}
	hundred := decimal.NewFromInt(100)
	type acc struct {
		code  tax.Code
		base  decimal.Decimal
		tax   decimal.Decimal
		lines []int
		parts []decimal.Decimal // per-line exact tax (per_line: rounded)
	}
	byCode := map[string]*acc{}
	var order []string
	var net decimal.Decimal
	for i := range inv.Lines {
		l := &inv.Lines[i]
		p := linePrefix(i)
		l.Position = i + 1
		l.Description = strings.TrimSpace(l.Description)
		if l.Description == "" {
			c.Add(p+".description", "is required")
		} else {
			checkText(&c, p+".description", l.Description, 1000)
		}
		if l.ChargeType == "" {
			l.ChargeType = OneTime
		}
		if !slices.Contains(ChargeTypes, l.ChargeType) {
			c.Add(p+".charge_type", "use recurring, usage, one_time or time")
		}
		if !l.ServiceStart.IsZero() && !l.ServiceEnd.IsZero() && l.ServiceEnd.Before(l.ServiceStart) {
			c.Add(p+".service_end", "is before service_start")
		}
		if l.Discount.IsNegative() {
			c.Add(p+".discount", "must not be negative")
		}
		switch {
		case l.AmountOnly():
			if !l.Discount.IsZero() {
				c.Add(p+".discount", "a line entered by amount has no discount; enter the net amount")
			}
			if !cur.Round(l.Amount).Equal(l.Amount) {
				c.Add(p+".amount", "has more decimals than %s allows (%d)", cur.Code(), cur.Digits())
			}
		case l.Quantity == nil:
			c.Add(p+".quantity", "is required with a unit price (or give only an amount)")
		case l.UnitPrice == nil:
			c.Add(p+".unit_price", "is required with a quantity (or give only an amount)")
		default:
			if l.Quantity.Abs().GreaterThan(maxQuantity) {
				c.Add(p+".quantity", "is too large")
			}
			if l.Quantity.Exponent() < -6 {
				c.Add(p+".quantity", "at most 6 decimals")
			}
			if l.UnitPrice.Exponent() < -6 {
				c.Add(p+".unit_price", "at most 6 decimals")
			}
			if l.UnitPrice.Abs().GreaterThan(maxQuantity) {
				c.Add(p+".unit_price", "is too large")
			}
			l.Amount = cur.Round(l.Quantity.Mul(*l.UnitPrice).Sub(l.Discount))
		}
		if len(l.Distribution) > 0 {
			var sum decimal.Decimal
			for j, s := range l.Distribution {
				if s.Account == "" {
					c.Add(fmt.Sprintf("%s.distribution[%d].account", p, j), "is required")
				}
				if !s.Percent.IsPositive() {
					c.Add(fmt.Sprintf("%s.distribution[%d].percent", p, j), "must be above 0")
				}
				sum = sum.Add(s.Percent)
			}
			if !sum.Equal(hundred) {
				c.Add(p+".distribution", "percentages add up to %s; they must add up to 100", sum)
			}
		}
		// Tax: the codes in both the line's sales tax group and item sales tax group.
		l.TaxCodes = nil
		if l.SalesTaxGroup != "" || l.ItemSalesTaxGroup != "" {
			sg, okS := setup.SalesGroups[l.SalesTaxGroup]
			ig, okI := setup.ItemGroups[l.ItemSalesTaxGroup]
			if l.SalesTaxGroup != "" && !okS {
				c.Add(p+".sales_tax_group", "no sales tax group %q", l.SalesTaxGroup)
			}
			if l.ItemSalesTaxGroup != "" && !okI {
				c.Add(p+".item_sales_tax_group", "no item sales tax group %q", l.ItemSalesTaxGroup)
			}
			if okS && okI {
				l.TaxCodes = tax.Applicable(sg, ig)
			}
		}
		net = net.Add(l.Amount)
		for _, code := range l.TaxCodes {
			tc, ok := setup.Codes[code]
			if !ok {
				c.Add(p+".tax_codes", "tax code %q of the groups no longer exists", code)
				continue
			}
			a := byCode[code]
			if a == nil {
				a = &acc{code: tc}
				byCode[code] = a
				order = append(order, code)
			}
			a.base = a.base.Add(l.Amount)
			a.lines = append(a.lines, i)
			part := l.Amount.Mul(tc.Rate).Shift(-2) // rate is a percentage
			if setup.Mode == tax.PerLine {
				part = cur.Round(part)
			}
			a.parts = append(a.parts, part)
		}
	}
	if err := c.Err(); err != nil {
		return err
	}
	slices.Sort(order)
	for i := range inv.Lines {
		inv.Lines[i].TaxAmount = decimal.Zero
	}
	var taxTotal decimal.Decimal
	inv.Taxes = inv.Taxes[:0]
	for _, code := range order {
		a := byCode[code]
		if setup.Mode == tax.PerLine {
			for _, p := range a.parts {
				a.tax = a.tax.Add(p)
			}
		} else {
			a.tax = cur.Round(a.base.Mul(a.code.Rate).Shift(-2))
		}
		// Share the code's tax over its lines so line taxes sum exactly.
		shares := referenceShareOut(a.tax, a.parts, cur)
		for k, li := range a.lines {
			inv.Lines[li].TaxAmount = inv.Lines[li].TaxAmount.Add(shares[k])
		}
		taxTotal = taxTotal.Add(a.tax)
		inv.Taxes = append(inv.Taxes, TaxLine{Code: code, Name: a.code.Name, Category: a.code.Category, Rate: a.code.Rate,
			ExemptionReason: a.code.ExemptionReason, ExemptionReasonCode: a.code.ExemptionReasonCode, Account: a.code.Account,
			Base: a.base, Amount: a.tax})
	}
	inv.TaxMode = setup.Mode
	inv.Net = net
	inv.Tax = taxTotal
	inv.Total = net.Add(taxTotal)
	inv.Balance = inv.Total.Sub(inv.Paid)
	rate := inv.ExchangeRate
	if inv.Currency == accounting.Code() || rate.IsZero() {
		rate = decimal.NewFromInt(1)
	}
	inv.TotalAccounting = accounting.Round(inv.Total.Mul(rate))
	inv.BalanceAccounting = accounting.Round(inv.Balance.Mul(rate))
	return nil
}

func referenceShareOut(total decimal.Decimal, parts []decimal.Decimal, cur money.Currency) []decimal.Decimal {
	out := make([]decimal.Decimal, len(parts))
	if len(parts) == 0 {
		return out
	}
	var sum decimal.Decimal
	largest := 0
	for i, p := range parts {
		out[i] = cur.Round(p)
		sum = sum.Add(out[i])
		if p.Abs().GreaterThan(parts[largest].Abs()) {
			largest = i
		}
	}
	out[largest] = out[largest].Add(total.Sub(sum))
	return out
}

// ---- comparing results ----

// sameDecimal reports whether a and b have the same coefficient and exponent,
// hence the same text everywhere (String, JSON, database).
func sameDecimal(a, b decimal.Decimal) bool {
	return a.Exponent() == b.Exponent() && a.Coefficient().Cmp(b.Coefficient()) == 0
}

func showDecimal(d decimal.Decimal) string {
	return fmt.Sprintf("%s(e%d)", d.String(), d.Exponent())
}

// diffInvoices lists every difference between two computed invoices.
func diffInvoices(got, want *Invoice) []string {
	var out []string
	dec := func(name string, g, w decimal.Decimal) {
		if !sameDecimal(g, w) {
			out = append(out, fmt.Sprintf("%s: got %s, want %s", name, showDecimal(g), showDecimal(w)))
		}
	}
	if len(got.Lines) != len(want.Lines) {
		return []string{fmt.Sprintf("%d lines, want %d", len(got.Lines), len(want.Lines))}
	}
	for i := range got.Lines {
		g, w := got.Lines[i], want.Lines[i]
		p := fmt.Sprintf("lines[%d].", i)
		dec(p+"amount", g.Amount, w.Amount)
		dec(p+"tax_amount", g.TaxAmount, w.TaxAmount)
		if g.Position != w.Position || g.Description != w.Description || g.ChargeType != w.ChargeType {
			out = append(out, fmt.Sprintf("%sposition/description/charge_type: got %d %q %q, want %d %q %q", p,
				g.Position, g.Description, g.ChargeType, w.Position, w.Description, w.ChargeType))
		}
		if !slices.Equal(g.TaxCodes, w.TaxCodes) || (g.TaxCodes == nil) != (w.TaxCodes == nil) {
			out = append(out, fmt.Sprintf("%stax_codes: got %#v, want %#v", p, g.TaxCodes, w.TaxCodes))
		}
	}
	dec("net", got.Net, want.Net)
	dec("tax", got.Tax, want.Tax)
	dec("total", got.Total, want.Total)
	dec("balance", got.Balance, want.Balance)
	dec("total_accounting", got.TotalAccounting, want.TotalAccounting)
	dec("balance_accounting", got.BalanceAccounting, want.BalanceAccounting)
	if got.TaxMode != want.TaxMode {
		out = append(out, fmt.Sprintf("tax_mode: got %q, want %q", got.TaxMode, want.TaxMode))
	}
	if len(got.Taxes) != len(want.Taxes) {
		out = append(out, fmt.Sprintf("taxes: got %d, want %d", len(got.Taxes), len(want.Taxes)))
	} else {
		for i := range got.Taxes {
			g, w := got.Taxes[i], want.Taxes[i]
			p := fmt.Sprintf("taxes[%d].", i)
			dec(p+"base", g.Base, w.Base)
			dec(p+"amount", g.Amount, w.Amount)
			dec(p+"rate", g.Rate, w.Rate)
			g.Base, g.Amount, g.Rate, w.Base, w.Amount, w.Rate = decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
			if g != w {
				out = append(out, fmt.Sprintf("%s: got %+v, want %+v", p, g, w))
			}
		}
	}
	return out
}

func sameError(got, want error) bool {
	if (got == nil) != (want == nil) {
		return false
	}
	if got == nil {
		return true
	}
	ge, ok1 := fail.As(got)
	we, ok2 := fail.As(want)
	return ok1 && ok2 && reflect.DeepEqual(ge, we)
}

// runAll computes inv three ways and fails t on any difference. It returns
// whether the fast path computed the totals.
func runAll(t testing.TB, inv Invoice, setup TaxSetup, accounting money.Currency) (fast bool, err error) {
	t.Helper()
	ref, fst, dec := inv.Clone(), inv.Clone(), inv.Clone()
	refErr := referenceCompute(&ref, setup, accounting)
	fast, fastErr := fst.compute(setup, accounting, true)
	slow, decErr := dec.compute(setup, accounting, false)
	if slow {
		t.Fatal("compute without the fast path reports the fast path")
	}
	for _, r := range []struct {
		name string
		inv  *Invoice
		err  error
	}{{"fast path", &fst, fastErr}, {"decimal path", &dec, decErr}} {
		if !sameError(r.err, refErr) {
			t.Fatalf("%s: error %#v, reference %#v\ninvoice: %s", r.name, r.err, refErr, describe(&inv))
		}
		if d := diffInvoices(r.inv, &ref); len(d) > 0 {
			t.Fatalf("%s (fast totals: %v) differs from the reference:\n  %s\ninvoice: %s", r.name, fast, strings.Join(d, "\n  "), describe(&inv))
		}
	}
	return fast, refErr
}

func describe(inv *Invoice) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s paid=%s rate=%s", inv.Currency, showDecimal(inv.Paid), showDecimal(inv.ExchangeRate))
	for _, l := range inv.Lines {
		b.WriteString("\n  ")
		if l.Quantity != nil {
			fmt.Fprintf(&b, "qty=%s ", showDecimal(*l.Quantity))
		}
		if l.UnitPrice != nil {
			fmt.Fprintf(&b, "price=%s ", showDecimal(*l.UnitPrice))
		}
		fmt.Fprintf(&b, "disc=%s amount=%s groups=%s/%s dist=%v", showDecimal(l.Discount), showDecimal(l.Amount), l.SalesTaxGroup, l.ItemSalesTaxGroup, l.Distribution)
	}
	return b.String()
}

// ---- random invoices ----

var testCurrencies = []string{"EUR", "JPY", "BHD", "CLF", "USD"}

// randDecimal returns a decimal with 1…maxDigits digits and an exponent in
// [minExp, maxExp], negative with probability neg.
func randDecimal(r *rand.Rand, maxDigits int, minExp, maxExp int32, neg float64) decimal.Decimal {
	n := 1 + r.IntN(maxDigits)
	var sb strings.Builder
	if r.Float64() < neg {
		sb.WriteByte('-')
	}
	sb.WriteByte(byte('1' + r.IntN(9)))
	for range n - 1 {
		sb.WriteByte(byte('0' + r.IntN(10)))
	}
	coef, _ := new(big.Int).SetString(sb.String(), 10)
	if r.IntN(8) == 0 { // small coefficients are common: 1, 5, 25, …
		coef.SetInt64(int64(r.IntN(100)))
		if r.Float64() < neg {
			coef.Neg(coef)
		}
	}
	return decimal.NewFromBigInt(coef, minExp+r.Int32N(maxExp-minExp+1))
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// randSetup has codes V21, V10, EX and a vanished code GONE's group; rates are
// usually plain percentages, sometimes odd (many decimals, exponent notation,
// negative, huge).
func randSetup(r *rand.Rand) TaxSetup {
	rate := func() decimal.Decimal {
		switch r.IntN(12) {
		case 0:
			return randDecimal(r, 6, -4, 0, 0.1)
		case 1:
			return pick(r, decimal.New(2, 1), decimal.New(21000, -3), decimal.New(1, -3), decimal.New(-5, 0))
		case 2:
			if r.IntN(4) == 0 {
				return randDecimal(r, 25, -5, 0, 0) // beyond the fast path
			}
		}
		return decimal.RequireFromString(pick(r, "21", "10", "5.5", "0", "19.6", "7.75", "4", "2.1"))
	}
	codes := map[string]tax.Code{
		"V21": {Code: "V21", Name: "VAT A", Rate: rate(), Category: tax.Standard, Account: "2100"},
		"V10": {Code: "V10", Name: "VAT B", Rate: rate(), Category: tax.Standard, Account: "2110"},
		"EX":  {Code: "EX", Name: "Exempt", Rate: decimal.Zero, Category: tax.Exempt, Account: "2100", ExemptionReason: "art. 20"},
	}
	return TaxSetup{Mode: pick(r, tax.PerCode, tax.PerLine), Codes: codes,
		SalesGroups: map[string]tax.Group{
			"DOM": {Kind: "sales", Code: "DOM", Codes: []string{"EX", "V10", "V21", "ZZ"}},
			"DUP": {Kind: "sales", Code: "DUP", Codes: []string{"V21", "V21", "V10"}},
		},
		ItemGroups: map[string]tax.Group{
			"FULL": {Kind: "item", Code: "FULL", Codes: []string{"V21"}},
			"RED":  {Kind: "item", Code: "RED", Codes: []string{"V10"}},
			"EXM":  {Kind: "item", Code: "EXM", Codes: []string{"EX"}},
			"BOTH": {Kind: "item", Code: "BOTH", Codes: []string{"V21", "V10"}},
			"NONE": {Kind: "item", Code: "NONE"},
			"GONE": {Kind: "item", Code: "GONE", Codes: []string{"ZZ"}}, // ZZ is not a code: an error
		}}
}

func randLine(r *rand.Rand, digits int32) Line {
	l := Line{Description: "x"}
	switch r.IntN(100) {
	case 0:
		l.Description = ""
	case 1:
		l.Description = "two\nlines"
	case 2:
		l.Description = "  padded  "
	}
	switch r.IntN(40) {
	case 0:
		l.ChargeType = "monthly"
	case 1, 2, 3:
		l.ChargeType = Usage
	}
	qp := func() *decimal.Decimal {
		var v decimal.Decimal
		switch k := r.IntN(100); {
		case k < 2:
			v = randDecimal(r, 22, -7, 2, 0.2) // too large or too precise: an error
		case k < 4:
			v = randDecimal(r, 18, -6, 0, 0.2) // up to 10^12 with 6 decimals
		case k < 6:
			v = decimal.New(int64(r.IntN(3)), int32(r.IntN(3))-2) // zeros and tiny values
		default:
			v = randDecimal(r, 9, -6, 1, 0.1)
		}
		return &v
	}
	switch k := r.IntN(100); {
	case k < 72: // quantity × unit price − discount
		l.Quantity, l.UnitPrice = qp(), qp()
		switch d := r.IntN(100); {
		case d < 45:
		case d < 55:
			l.Discount = decimal.New(0, -2)
		case d < 58:
			l.Discount = randDecimal(r, 6, -2, 0, 1) // negative: an error
		case d < 61:
			l.Discount = randDecimal(r, 30, -14, 2, 0) // huge
		default:
			l.Discount = randDecimal(r, 10, -14, 1, 0)
		}
	case k < 94: // amount only
		switch a := r.IntN(100); {
		case a < 4:
			l.Amount = randDecimal(r, 12, -digits-3, -digits-1, 0.2) // too many decimals unless zeros: usually an error
		case a < 8:
			l.Amount = randDecimal(r, 30, -digits, 0, 0.2) // beyond the fast path
		case a < 11:
			l.Amount = decimal.New(int64(r.IntN(100)), 3) // positive exponent
		default:
			v := randDecimal(r, 11, -digits, -digits, 0.15)
			if r.IntN(4) == 0 { // trailing zeros: 12.3400
				t := int32(1 + r.IntN(4))
				v = decimal.NewFromBigInt(new(big.Int).Mul(v.Coefficient(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t)), nil)), v.Exponent()-t)
			}
			l.Amount = v
		}
		if r.IntN(60) == 0 {
			l.Discount = decimal.New(1, 0) // a discount on an amount line: an error
		}
	case k < 96:
		l.Quantity = qp()
	case k < 98:
		l.UnitPrice = qp()
	}
	l.SalesTaxGroup = pick(r, "DOM", "DOM", "DOM", "DUP", "")
	l.ItemSalesTaxGroup = pick(r, "FULL", "FULL", "RED", "RED", "EXM", "BOTH", "NONE", "")
	if r.IntN(80) == 0 {
		l.SalesTaxGroup = "NOPE"
	}
	if r.IntN(80) == 0 {
		l.ItemSalesTaxGroup = pick(r, "NOPE", "GONE")
	}
	switch r.IntN(12) {
	case 0:
		l.Distribution = pick(r,
			[]Split{{"4100", decimal.RequireFromString("33.3333")}, {"4200", decimal.RequireFromString("66.6667")}},
			[]Split{{"4100", decimal.RequireFromString("50")}, {"4200", decimal.RequireFromString("50.000")}},
			[]Split{{"4100", decimal.New(1, 2)}},
			[]Split{{"4100", decimal.RequireFromString("0.0000000000000000000000000001")}, {"4200", decimal.RequireFromString("99.9999999999999999999999999999")}})
	case 1:
		if r.IntN(3) == 0 {
			l.Distribution = pick(r,
				[]Split{{"4100", decimal.RequireFromString("90")}},
				[]Split{{"", decimal.RequireFromString("100")}},
				[]Split{{"4100", decimal.RequireFromString("-10")}, {"4200", decimal.RequireFromString("110")}},
				[]Split{{"4100", decimal.RequireFromString("99.99999999999999999999999")}})
		}
	}
	return l
}

func randInvoice(r *rand.Rand) (Invoice, TaxSetup, money.Currency) {
	cur := pick(r, testCurrencies...)
	digits := money.MustCurrency(cur).Digits()
	inv := Invoice{Currency: cur}
	n := r.IntN(13)
	if r.IntN(50) == 0 {
		n = 40 + r.IntN(100)
	}
	setup := randSetup(r)
	// Most invoices are valid; a line at fault is drawn again unless the
	// invoice is one of those meant to be invalid.
	valid := r.IntN(10) < 7
	for range n {
		l := randLine(r, digits)
		for try := 0; valid && try < 20 && lineInvalid(l, cur, setup); try++ {
			l = randLine(r, digits)
		}
		inv.Lines = append(inv.Lines, l)
	}
	// Runs of equal lines, as real invoices have.
	for i := 1; i < len(inv.Lines); i++ {
		if r.IntN(4) == 0 {
			inv.Lines[i] = inv.Lines[i-1]
		}
	}
	switch k := r.IntN(100); {
	case k < 55:
	case k < 60:
		inv.Paid = randDecimal(r, 30, -4, 0, 0.2)
	default:
		inv.Paid = randDecimal(r, 8, -digits-2, 0, 0.2)
	}
	accounting := money.MustCurrency(pick(r, testCurrencies...))
	switch k := r.IntN(100); {
	case k < 30:
	case k < 40:
		inv.ExchangeRate = decimal.NewFromInt(1)
	case k < 43:
		inv.ExchangeRate = randDecimal(r, 30, -20, 0, 0)
	default:
		inv.ExchangeRate = randDecimal(r, 11, -10, 0, 0)
	}
	if r.IntN(200) == 0 {
		inv.Currency = pick(r, "eur", "XXQ", "")
	}
	return inv, setup, accounting
}

// lineInvalid reports whether the reference rejects l on its own.
func lineInvalid(l Line, cur string, setup TaxSetup) bool {
	inv := Invoice{Currency: cur, Lines: []Line{l}}
	return referenceCompute(&inv, setup, money.MustCurrency("EUR")) != nil
}

// ---- the tests ----

func TestComputeFastPathMatchesReference(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(1, 2))
	var fast, fallback, invalid int
	for range n {
		inv, setup, acc := randInvoice(r)
		f, err := runAll(t, inv, setup, acc)
		switch {
		case err != nil:
			invalid++
		case f:
			fast++
		default:
			fallback++
		}
	}
	t.Logf("%d invoices: %d on the fast path, %d fell back to decimals, %d invalid", n, fast, fallback, invalid)
	if fast < n/3 || fallback < n/50 || invalid < n/50 {
		t.Errorf("the generator no longer exercises every path: %d fast, %d fallback, %d invalid", fast, fallback, invalid)
	}
}

// TestComputeFastPathEdges covers the limits one by one: each case must give
// the reference result, and the path named.
func TestComputeFastPathEdges(t *testing.T) {
	d := decimal.RequireFromString
	dp := func(s string) *decimal.Decimal { v := d(s); return &v }
	line := func(q, p, disc string) Line {
		l := Line{Description: "x", Quantity: dp(q), UnitPrice: dp(p), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "BOTH"}
		if disc != "" {
			l.Discount = d(disc)
		}
		return l
	}
	amount := func(a string) Line {
		return Line{Description: "x", Amount: d(a), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL"}
	}
	fixedSetup := func(mode tax.Mode, r21, r10 string) TaxSetup {
		s := randSetup(rand.New(rand.NewPCG(0, 0)))
		s.Mode = mode
		c := s.Codes["V21"]
		c.Rate = d(r21)
		s.Codes["V21"] = c
		c = s.Codes["V10"]
		c.Rate = d(r10)
		s.Codes["V10"] = c
		return s
	}
	cases := []struct {
		name     string
		currency string
		lines    []Line
		paid     string
		rate     string
		r21, r10 string
		fast     bool
	}{
		{name: "plain", currency: "EUR", lines: []Line{line("3", "19.99", ""), line("2.5", "7.333", "0.01")}, fast: true},
		{name: "half cent up and down, negative", currency: "EUR", lines: []Line{line("1", "1.005", ""), line("-1", "1.005", ""), line("1", "-0.005", "")}, fast: true},
		{name: "JPY", currency: "JPY", lines: []Line{line("3", "333.5", ""), line("-3", "333.5", "")}, fast: true},
		{name: "BHD", currency: "BHD", lines: []Line{line("1", "1.0005", ""), line("2", "1.0004", "0.0000001")}, fast: true},
		{name: "CLF 4 digits", currency: "CLF", lines: []Line{line("0.000001", "0.000001", ""), line("1.5", "0.00005", "")}, fast: true},
		{name: "6+6 decimals at the limits", currency: "EUR", lines: []Line{line("999999999999.999999", "0.000001", ""), line("12345.678901", "1234.567891", "")}, fast: true},
		{name: "amount only with trailing zeros and exponents", currency: "EUR", lines: []Line{amount("12.3400"), amount("1E+3"), amount("-0.50")}, fast: true},
		{name: "amount only, whole euros", currency: "EUR", lines: []Line{amount("100"), amount("7")}, fast: true},
		{name: "odd rates", currency: "EUR", lines: []Line{line("3", "19.99", ""), line("7", "0.13", "")}, r21: "5.5", r10: "0.001", fast: true},
		{name: "rate with exponent notation", currency: "EUR", lines: []Line{line("3", "19.99", "")}, r21: "2E+1", r10: "21.000", fast: true},
		{name: "paid and a foreign currency", currency: "USD", lines: []Line{line("3", "19.99", "")}, paid: "10.005", rate: "0.9213456789", fast: true},
		{name: "no lines", currency: "EUR", fast: true},
		{name: "line product beyond int64 minor units", currency: "EUR", lines: []Line{line("999999999999", "999999999999", "")}, fast: false},
		{name: "huge amount-only line", currency: "EUR", lines: []Line{amount("1234567890123456789012345.67")}, fast: false},
		{name: "huge discount", currency: "EUR", lines: []Line{line("1", "1", "1234567890123456789012345678901234567890")}, fast: false},
		// The line amount takes the decimal path; the totals need not.
		{name: "tiny discount", currency: "EUR", lines: []Line{line("1", "1", "0.00000000000000000000000000000000000000000001")}, fast: true},
		{name: "huge rate", currency: "EUR", lines: []Line{line("3", "19.99", "")}, r21: "123456789012345678901234", fast: false},
		{name: "huge paid", currency: "EUR", lines: []Line{line("3", "19.99", "")}, paid: "123456789012345678901234", fast: false},
		{name: "huge exchange rate", currency: "USD", lines: []Line{line("3", "19.99", "")}, rate: "1.23456789012345678901234", fast: false},
	}
	for _, tc := range cases {
		for _, mode := range []tax.Mode{tax.PerCode, tax.PerLine} {
			t.Run(tc.name+"/"+string(mode), func(t *testing.T) {
				r21, r10 := cmp.Or(tc.r21, "21"), cmp.Or(tc.r10, "10")
				inv := Invoice{Currency: tc.currency, Lines: tc.lines}
				if tc.paid != "" {
					inv.Paid = d(tc.paid)
				}
				if tc.rate != "" {
					inv.ExchangeRate = d(tc.rate)
				}
				fast, err := runAll(t, inv, fixedSetup(mode, r21, r10), money.MustCurrency("EUR"))
				if err != nil {
					t.Fatal(err)
				}
				if fast != tc.fast {
					t.Errorf("fast path %v, want %v", fast, tc.fast)
				}
			})
		}
	}
}

func TestLineAmountFixedLimits(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct {
		q, p, disc string
		ok         bool
	}{
		{"3", "19.99", "0", true},
		{"999999999999.999999", "0.000001", "0", true},
		{"12345.678901", "1234.567891", "0.000000000001", true},
		{"999999999999", "999999999", "0", true},       // 9.99…e20 cents: does not fit
		{"999999999999", "99999999", "0", true},        // 9.99…e19 cents: does not fit
		{"99999999999", "9999999", "0", true},          // 9.99…e17 cents: fits
		{"1", "1", "1e-44", false},                     // exponent beyond ±40
		{"1", "1", "1234567890123456789012345", false}, // 25 digits
		{"0.000001", "0.000001", "0.00000000000000000001", true},
	} {
		q, p, disc := d(c.q), d(c.p), d(c.disc)
		v, ok := lineAmountFixed(q, p, disc, 2)
		want := lineAmountDecimal(money.MustCurrency("EUR"), q, p, disc)
		fits := want.Coefficient().IsInt64() && want.Coefficient().Int64() != math.MinInt64
		if !c.ok && ok {
			t.Errorf("%s × %s − %s: fast path taken, want the decimal path", c.q, c.p, c.disc)
		}
		if c.ok && ok != fits {
			t.Errorf("%s × %s − %s: fast path %v, but the result fits int64: %v", c.q, c.p, c.disc, ok, fits)
		}
		if ok && !sameDecimal(decimal.New(v, -2), want) {
			t.Errorf("%s × %s − %s = %d e-2, want %s", c.q, c.p, c.disc, v, showDecimal(want))
		}
	}
}

// TestFixedRounding checks roundPow10 against decimal.Decimal.Round on every
// sign and every position of the half.
func TestFixedRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		coef := r.Int64N(1<<62) >> r.IntN(62)
		if r.IntN(2) == 0 {
			coef = -coef
		}
		if r.IntN(3) == 0 {
			coef = coef/10*10 + 5 // exactly half
		}
		k := r.IntN(22)
		got, ok := i128of(coef).roundPow10(k)
		if !ok {
			t.Fatalf("roundPow10(%d, %d) overflowed", coef, k)
		}
		want := decimal.New(coef, int32(-k)).Round(0)
		g, ok := got.int64()
		if !ok || !sameDecimal(decimal.New(g, 0), want) {
			t.Fatalf("round(%d e-%d) = %d, decimal says %s", coef, k, g, want)
		}
	}
}

// FuzzComputeFastPath builds a three-line invoice from fuzzed numbers: a
// quantity line, an amount-only line and a seeded random line, in a fuzzed
// currency and tax mode, and requires the three computations to agree.
func FuzzComputeFastPath(f *testing.F) {
	f.Add(uint64(1), "3", "19.99", "", "12.34", "21", "", "", uint8(0), false)
	f.Add(uint64(2), "-1", "1.005", "0.005", "-0.5", "10", "1.005", "0.92", uint8(1), true)
	f.Add(uint64(3), "999999999999.999999", "999999.999999", "1e-20", "1e3", "5.5", "1e30", "1.2345678901", uint8(2), false)
	f.Add(uint64(4), "2.5", "7.333", "0", "100.000", "0.001", "-3", "1", uint8(3), true)
	f.Fuzz(func(t *testing.T, seed uint64, qty, price, disc, amount, rate, paid, xrate string, curIdx uint8, perLine bool) {
		parse := func(s string) (decimal.Decimal, bool) {
			if s == "" {
				return decimal.Decimal{}, true
			}
			if len(s) > 60 {
				return decimal.Decimal{}, false
			}
			v, err := decimal.NewFromString(s)
			if err != nil || v.Exponent() < -60 || v.Exponent() > 60 {
				return decimal.Decimal{}, false
			}
			return v, true
		}
		var vals [7]decimal.Decimal
		for i, s := range []string{qty, price, disc, amount, rate, paid, xrate} {
			v, ok := parse(s)
			if !ok {
				t.Skip()
			}
			vals[i] = v
		}
		r := rand.New(rand.NewPCG(seed, seed>>7))
		setup := randSetup(r)
		setup.Mode = tax.PerCode
		if perLine {
			setup.Mode = tax.PerLine
		}
		c := setup.Codes["V21"]
		c.Rate = vals[4]
		setup.Codes["V21"] = c
		cur := testCurrencies[int(curIdx)%len(testCurrencies)]
		inv := Invoice{Currency: cur, ExchangeRate: vals[6], Lines: []Line{
			{Description: "q", Quantity: &vals[0], UnitPrice: &vals[1], Discount: vals[2], SalesTaxGroup: "DOM", ItemSalesTaxGroup: "BOTH"},
			{Description: "a", Amount: vals[3], SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL"},
			randLine(r, money.MustCurrency(cur).Digits()),
		}}
		inv.Paid = vals[5]
		runAll(t, inv, setup, money.MustCurrency(pick(r, testCurrencies...)))
	})
}

// ---- benchmarks beside BenchmarkTotals (same invoice) ----

func benchInvoice() (Invoice, []Line, TaxSetup) {
	d := decimal.RequireFromString
	codes := map[string]tax.Code{
		"V21": {Code: "V21", Name: "VAT 21", Rate: d("21"), Category: tax.Standard, Account: "2100"},
		"V10": {Code: "V10", Name: "VAT 10", Rate: d("10"), Category: tax.Standard, Account: "2100"},
		"EX":  {Code: "EX", Name: "Exempt", Rate: d("0"), Category: tax.Exempt, Account: "2100", ExemptionReason: "art. 20"},
	}
	setup := TaxSetup{Mode: tax.PerCode, Codes: codes,
		SalesGroups: map[string]tax.Group{"DOM": {Kind: "sales", Code: "DOM", Codes: []string{"EX", "V10", "V21"}}},
		ItemGroups: map[string]tax.Group{
			"FULL": {Kind: "item", Code: "FULL", Codes: []string{"V21"}},
			"RED":  {Kind: "item", Code: "RED", Codes: []string{"V10"}},
		}}
	var base []Line
	for i := range 10 {
		q, p, g := d("3"), d("19.99"), "FULL"
		if i >= 5 {
			q, p, g = d("2.5"), d("7.333"), "RED"
		}
		base = append(base, Line{Description: "x", Quantity: &q, UnitPrice: &p, SalesTaxGroup: "DOM", ItemSalesTaxGroup: g})
	}
	return Invoice{Currency: "EUR", Lines: make([]Line, len(base))}, base, setup
}

// BenchmarkTotalsPaths runs BenchmarkTotals' invoice through Compute as it
// was before the fast path (original), through Compute forced onto decimals
// (decimal_path) and through Compute (fast_path), in one run so that load on
// the machine shows as a change in all three.
func BenchmarkTotalsPaths(b *testing.B) {
	eur := money.MustCurrency("EUR")
	for _, path := range []string{"original", "decimal_path", "fast_path"} {
		b.Run(path, func(b *testing.B) {
			inv, base, setup := benchInvoice()
			b.ReportAllocs()
			for b.Loop() {
				copy(inv.Lines, base)
				var err error
				switch path {
				case "original":
					err = referenceCompute(&inv, setup, eur)
				case "decimal_path":
					_, err = inv.compute(setup, eur, false)
				default:
					_, err = inv.compute(setup, eur, true)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
