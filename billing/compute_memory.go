package billing

import (
	"slices"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/tax"
)

// Compute's working memory: each line's pair of tax groups resolved once
// (tax.Applicable), the tax codes used on the document, and one entry per
// line and code, pooled so that computing an invoice allocates little beyond
// the amounts it stores.

// taxEntry is one tax code of one line: the line's part of that code's tax.
type taxEntry struct {
	line int32 // a line's index, or len(Lines)+j for charge j
	code int32 // index into computeScratch.codes
}

// codeState is one tax code used on the document.
type codeState struct {
	code string
	tc   tax.Code
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
	order       []int32           // code indices sorted by code
	dparts      []decimal.Decimal `money:"-"` // the current code's exact per-line parts of tax: Apportion's weights
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

// addTaxed records the tax codes of taxed item i (a line, or a charge past
// the lines), named p in errors: the codes in both its sales tax group and
// item sales tax group (tax.Applicable, looked up once per pair of groups).
func (sc *computeScratch) addTaxed(c *fail.Collector, setup TaxSetup, p string, i int32, sales, item string) {
	var codes []string
	var codeIdx []int32
	if sales != "" || item != "" {
		g := sc.groups(setup, sales, item)
		if sales != "" && !g.okS {
			c.Add(p+".sales_tax_group", "no sales tax group %q", sales)
		}
		if item != "" && !g.okI {
			c.Add(p+".item_sales_tax_group", "no item sales tax group %q", item)
		}
		codes, codeIdx = g.codes, sc.groupIdx[g.idx0:g.idx1]
	}
	for j, code := range codes {
		if codeIdx[j] < 0 {
			c.Add(p+".tax_codes", "tax code %q of the groups no longer exists", code)
			continue
		}
		sc.entries = append(sc.entries, taxEntry{line: i, code: codeIdx[j]})
	}
	sc.lineCodes = append(sc.lineCodes, codes...)
	sc.lineCodeEnd = append(sc.lineCodeEnd, int32(len(sc.lineCodes)))
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

// setTaxCodes gives each line, then each charge, its tax codes, each its
// own part of one new slice (nil for one without codes, as tax.Applicable
// gives).
func (sc *computeScratch) setTaxCodes(lines []Line, charges []Charge) {
	var all []string
	if len(sc.lineCodes) > 0 {
		all = slices.Clone(sc.lineCodes)
	}
	start := int32(0)
	for k := range len(lines) + len(charges) {
		end := sc.lineCodeEnd[k]
		var codes []string
		if end > start {
			codes = all[start:end:end]
		}
		if k < len(lines) {
			lines[k].TaxCodes = codes
		} else {
			charges[k-len(lines)].TaxCodes = codes
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
