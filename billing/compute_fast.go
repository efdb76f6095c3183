package billing

import (
	"slices"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// Compute's working memory and its fixed-point fast path.
//
// The fast path computes exactly what the decimal path (totalsDecimal,
// lineAmountDecimal) computes, with the same coefficient and the same
// exponent for every amount, so the same text in JSON, CSV and the database:
// it only replaces math/big by 128-bit integers where every input fits
// (fixed.go). Whenever an input or an intermediate result does not fit, it
// gives up before writing anything and Compute takes the decimal path.
// compute_fastpath_test.go compares both paths, and both against the
// original implementation, on random invoices.

// taxEntry is one tax code of one line: the line's part of that code's tax.
type taxEntry struct {
	line  int32
	code  int32 // index into computeScratch.codes
	share i128  // fast path: the line's share of the code's tax, in minor units
}

// codeState is one tax code used on the document.
type codeState struct {
	code string
	tc   tax.Code
	// Fast path, amounts in minor units of the document currency.
	rate      int64 // the rate's coefficient
	rateShift int   // a line's exact part is amount × rate ÷ 10^rateShift
	base      i128
	baseExp   int32 // exponent the decimal path gives the base
	rounded   i128  // sum of the parts, each rounded
	tax       i128
	largest   int32 // entry with the largest |part|, the first on ties
	largestM  u128
}

// lineVal is a line amount in minor units and the exponent it is stored with.
type lineVal struct {
	v   i128
	exp int32
}

// groupPair is what a line's pair of tax groups resolves to.
type groupPair struct {
	sales, item string
	okS, okI    bool     // whether each group exists
	codes       []string // tax.Applicable's codes, if both exist
	idx0, idx1  int32    // the codes' indices into codes, in groupIdx; -1 for a code that does not exist
}

// computeScratch is Compute's reusable working memory.
type computeScratch struct {
	pairs       []groupPair
	groupIdx    []int32
	lineCodes   []string // every line's tax codes, one after the other
	lineCodeEnd []int32  // where each line's codes end in lineCodes
	codes       []codeState
	entries     []taxEntry
	order       []int32 // code indices sorted by code
	vals        []lineVal
	lineTax     []i128
	hasTax      []bool
	dparts      []decimal.Decimal
}

var scratchPool = sync.Pool{New: func() any { return new(computeScratch) }}

func getScratch() *computeScratch {
	sc := scratchPool.Get().(*computeScratch)
	sc.codes, sc.entries, sc.order = sc.codes[:0], sc.entries[:0], sc.order[:0]
	sc.pairs, sc.groupIdx, sc.lineCodes, sc.lineCodeEnd = sc.pairs[:0], sc.groupIdx[:0], sc.lineCodes[:0], sc.lineCodeEnd[:0]
	return sc
}

func putScratch(sc *computeScratch) {
	// Drop the references to the caller's strings and slices.
	clear(sc.codes)
	clear(sc.pairs)
	clear(sc.lineCodes)
	clear(sc.dparts)
	scratchPool.Put(sc)
}

// pairsSearched bounds the search for a pair of groups already resolved:
// invoices repeat a few pairs, and a pair not found is just resolved again.
const pairsSearched = 8

// groups resolves a line's sales tax group and item sales tax group: whether
// they exist, the codes in both (tax.Applicable) and each code's index into
// sc.codes (-1 for a code missing from setup.Codes).
func (sc *computeScratch) groups(setup TaxSetup, sales, item string) *groupPair {
	for i := len(sc.pairs) - 1; i >= max(0, len(sc.pairs)-pairsSearched); i-- {
		if g := &sc.pairs[i]; g.sales == sales && g.item == item {
			return g
		}
	}
	sg, okS := setup.SalesGroups[sales]
	ig, okI := setup.ItemGroups[item]
	g := groupPair{sales: sales, item: item, okS: okS, okI: okI, idx0: int32(len(sc.groupIdx))}
	if okS && okI {
		g.codes = tax.Applicable(sg, ig)
	}
	for _, code := range g.codes {
		k := sc.codeIndex(code)
		if k < 0 {
			if tc, ok := setup.Codes[code]; ok {
				k = int32(len(sc.codes))
				sc.codes = append(sc.codes, codeState{code: code, tc: tc})
			}
		}
		sc.groupIdx = append(sc.groupIdx, k)
	}
	g.idx1 = int32(len(sc.groupIdx))
	sc.pairs = append(sc.pairs, g)
	return &sc.pairs[len(sc.pairs)-1]
}

// codeIndex returns the index of code in sc.codes, or -1.
func (sc *computeScratch) codeIndex(code string) int32 {
	for i := range sc.codes {
		if sc.codes[i].code == code {
			return int32(i)
		}
	}
	return -1
}

// setTaxCodes gives each line its tax codes, each line its own part of one
// new slice (nil for a line without codes, as tax.Applicable gives).
func (sc *computeScratch) setTaxCodes(lines []Line) {
	var all []string
	if len(sc.lineCodes) > 0 {
		all = slices.Clone(sc.lineCodes)
	}
	start := int32(0)
	for i := range lines {
		end := sc.lineCodeEnd[i]
		if end > start {
			lines[i].TaxCodes = all[start:end:end]
		} else {
			lines[i].TaxCodes = nil
		}
		start = end
	}
}

// sortCodes fills sc.order with the code indices in code order.
func (sc *computeScratch) sortCodes() {
	sc.order = sc.order[:0]
	for i := range sc.codes {
		sc.order = append(sc.order, int32(i))
	}
	slices.SortFunc(sc.order, func(a, b int32) int { return strings.Compare(sc.codes[a].code, sc.codes[b].code) })
}

// lineAmount is quantity × unit price − discount rounded half away from zero
// to the currency: the one line rounding rule, on the fast path when allowed
// and possible.
func lineAmount(cur money.Currency, q, p, disc decimal.Decimal, fast bool) decimal.Decimal {
	if fast {
		if v, ok := lineAmountFixed(q, p, disc, cur.Digits()); ok {
			return decimal.New(v, -cur.Digits())
		}
	}
	return lineAmountDecimal(cur, q, p, disc)
}

func lineAmountDecimal(cur money.Currency, q, p, disc decimal.Decimal) decimal.Decimal {
	return cur.Round(q.Mul(p).Sub(disc))
}

// lineAmountFixed is lineAmountDecimal's coefficient (its exponent is
// -digits) in 128-bit arithmetic: the product of two 18-digit coefficients
// always fits, and the result must fit an int64.
func lineAmountFixed(q, p, disc decimal.Decimal, digits int32) (int64, bool) {
	fq, ok1 := fixedOf(q)
	fp, ok2 := fixedOf(p)
	fd, ok3 := fixedOf(disc)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	x, _ := i128of(fq.coef).mul64(fp.coef) // |x| < 2^126
	xe := fq.exp + fp.exp
	d := i128of(fd.coef)
	e := min(xe, fd.exp)
	x, ok1 = x.mulPow10(int(xe - e))
	d, ok2 = d.mulPow10(int(fd.exp - e))
	if !ok1 || !ok2 {
		return 0, false
	}
	x, ok := x.sub(d)
	if !ok {
		return 0, false
	}
	// x × 10^e rounded to 10^-digits.
	if x, ok = x.roundPow10(int(-digits) - int(e)); !ok {
		return 0, false
	}
	return x.int64()
}

// percentsMakeHundred reports whether a line's distribution percentages add
// up to exactly 100; ok is false when the fast path cannot tell.
func percentsMakeHundred(splits []Split) (is100, ok bool) {
	s := newSumFixed()
	for _, sp := range splits {
		f, ok := fixedOf(sp.Percent)
		if !ok {
			return false, false
		}
		s.add(f)
	}
	return s.equalInt(100)
}

// totalsFast is totalsDecimal in fixed point. It returns false, having
// written nothing, when some amount does not fit.
func (inv *Invoice) totalsFast(sc *computeScratch, cur, accounting money.Currency, mode tax.Mode) bool {
	digits := cur.Digits()
	n := len(inv.Lines)

	// Line amounts, and the net: the zero Decimal plus every line amount.
	sc.vals = slices.Grow(sc.vals[:0], n)[:n]
	var net i128
	netExp := int32(0)
	for i := range inv.Lines {
		f, ok := fixedOf(inv.Lines[i].Amount)
		if !ok {
			return false
		}
		v, ok := f.units(digits)
		if !ok {
			return false
		}
		if net, ok = net.add(v); !ok {
			return false
		}
		netExp = min(netExp, f.exp)
		sc.vals[i] = lineVal{v: v, exp: f.exp}
	}

	// Per code: the base, each line's exact part (rate is a percentage).
	for k := range sc.codes {
		cs := &sc.codes[k]
		r, ok := fixedOf(cs.tc.Rate)
		if !ok {
			return false
		}
		cs.rate, cs.rateShift = r.coef, 2-int(r.exp)
		cs.base, cs.baseExp, cs.rounded, cs.largest, cs.largestM = i128{}, 0, i128{}, -1, u128{}
	}
	for e := range sc.entries {
		en := &sc.entries[e]
		cs := &sc.codes[en.code]
		lv := sc.vals[en.line]
		var ok bool
		if cs.base, ok = cs.base.add(lv.v); !ok {
			return false
		}
		cs.baseExp = min(cs.baseExp, lv.exp)
		part, ok := lv.v.mul64(cs.rate) // exact part × 10^rateShift, in minor units
		if !ok {
			return false
		}
		if en.share, ok = part.roundPow10(cs.rateShift); !ok {
			return false
		}
		if cs.rounded, ok = cs.rounded.add(en.share); !ok {
			return false
		}
		if cs.largest < 0 || part.m.cmp(cs.largestM) > 0 {
			cs.largest, cs.largestM = int32(e), part.m
		}
	}

	// Tax per code, and the share out: the code's rounding difference goes to
	// the line with the largest part, so line shares sum exactly to the tax.
	var taxTotal i128
	for k := range sc.codes {
		cs := &sc.codes[k]
		if cs.largest < 0 {
			continue
		}
		var ok bool
		if mode == tax.PerLine {
			cs.tax = cs.rounded
		} else {
			t, ok := cs.base.mul64(cs.rate)
			if !ok {
				return false
			}
			if cs.tax, ok = t.roundPow10(cs.rateShift); !ok {
				return false
			}
		}
		diff, ok := cs.tax.sub(cs.rounded)
		if !ok {
			return false
		}
		en := &sc.entries[cs.largest]
		if en.share, ok = en.share.add(diff); !ok {
			return false
		}
		if taxTotal, ok = taxTotal.add(cs.tax); !ok {
			return false
		}
	}
	sc.lineTax = slices.Grow(sc.lineTax[:0], n)[:n]
	sc.hasTax = slices.Grow(sc.hasTax[:0], n)[:n]
	clear(sc.lineTax)
	clear(sc.hasTax)
	for e := range sc.entries {
		en := &sc.entries[e]
		var ok bool
		if sc.lineTax[en.line], ok = sc.lineTax[en.line].add(en.share); !ok {
			return false
		}
		sc.hasTax[en.line] = true
	}

	// Exponents as the decimal path has them: sums start from the zero
	// Decimal (exponent 0) and take the least exponent of their terms;
	// rounded amounts have exponent -digits.
	taxExp := int32(0)
	if len(sc.entries) > 0 {
		taxExp = min(0, -digits)
	}
	totalExp := min(netExp, taxExp)
	total, ok := net.add(taxTotal)
	if !ok {
		return false
	}
	paid, ok := fixedOf(inv.Paid)
	if !ok {
		return false
	}
	balExp := min(totalExp, paid.exp)
	totalC, ok1 := coefAt(total, digits, totalExp)
	totalAtBal, ok2 := coefAt(total, digits, balExp)
	paidAtBal, ok3 := i128of(paid.coef).mulPow10(int(paid.exp - balExp))
	if !ok1 || !ok2 || !ok3 {
		return false
	}
	balance, ok := i128of(totalAtBal).sub(paidAtBal)
	if !ok {
		return false
	}
	balanceC, ok := balance.int64()
	if !ok {
		return false
	}
	rate := fixed{coef: 1}
	if inv.Currency != accounting.Code() && !inv.ExchangeRate.IsZero() {
		if rate, ok = fixedOf(inv.ExchangeRate); !ok {
			return false
		}
	}
	totalAcc, ok1 := convertFixed(fixed{totalC, totalExp}, rate, accounting.Digits())
	balanceAcc, ok2 := convertFixed(fixed{balanceC, balExp}, rate, accounting.Digits())
	netC, ok3 := coefAt(net, digits, netExp)
	taxC, ok4 := taxTotal.int64()
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	// Check every remaining coefficient fits before writing anything.
	for i := range sc.lineTax {
		if _, ok := sc.lineTax[i].int64(); !ok {
			return false
		}
	}
	for k := range sc.codes {
		cs := &sc.codes[k]
		if cs.largest < 0 {
			continue
		}
		_, ok1 := coefAt(cs.base, digits, cs.baseExp)
		_, ok2 := cs.tax.int64()
		if !ok1 || !ok2 {
			return false
		}
	}

	// Write.
	for i := range inv.Lines {
		if sc.hasTax[i] {
			v, _ := sc.lineTax[i].int64()
			inv.Lines[i].TaxAmount = decimal.New(v, -digits)
		} else {
			inv.Lines[i].TaxAmount = decimal.Zero
		}
	}
	sc.sortCodes()
	inv.Taxes = inv.Taxes[:0]
	for _, k := range sc.order {
		cs := &sc.codes[k]
		if cs.largest < 0 {
			continue
		}
		b, _ := coefAt(cs.base, digits, cs.baseExp)
		t, _ := cs.tax.int64()
		inv.Taxes = append(inv.Taxes, taxLine(cs.code, cs.tc, decimal.New(b, cs.baseExp), decimal.New(t, -digits)))
	}
	if n == 0 {
		inv.Net = decimal.Decimal{}
	} else {
		inv.Net = decimal.New(netC, netExp)
	}
	if len(sc.entries) == 0 {
		inv.Tax = decimal.Decimal{}
	} else {
		inv.Tax = decimal.New(taxC, taxExp)
	}
	inv.Total = decimal.New(totalC, totalExp)
	inv.Balance = decimal.New(balanceC, balExp)
	inv.TotalAccounting = decimal.New(totalAcc, -accounting.Digits())
	inv.BalanceAccounting = decimal.New(balanceAcc, -accounting.Digits())
	return true
}

// convertFixed is accounting.Round(amount × rate) in fixed point: the
// coefficient at exponent -digits.
func convertFixed(amount, rate fixed, digits int32) (int64, bool) {
	p, _ := i128of(amount.coef).mul64(rate.coef) // |p| < 2^126
	p, ok := p.roundPow10(int(-digits) - int(amount.exp+rate.exp))
	if !ok {
		return 0, false
	}
	return p.int64()
}
