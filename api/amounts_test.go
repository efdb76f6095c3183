package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/money"
)

// outputTypes returns the Go types of every named schema an operation's
// response reaches, through properties, items and additional properties.
func outputTypes(t *testing.T, a huma.API) map[string]reflect.Type {
	t.Helper()
	reg := a.OpenAPI().Components.Schemas
	out := map[string]reflect.Type{}
	var visit func(s *huma.Schema)
	visit = func(s *huma.Schema) {
		if s == nil {
			return
		}
		if s.Ref != "" {
			name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
			if _, seen := out[name]; seen {
				return
			}
			out[name] = reg.TypeFromRef(s.Ref)
			visit(reg.SchemaFromRef(s.Ref))
			return
		}
		for _, p := range s.Properties {
			visit(p)
		}
		visit(s.Items)
		if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
			visit(ap)
		}
		for _, x := range slices.Concat(s.OneOf, s.AnyOf, s.AllOf) {
			visit(x)
		}
	}
	for _, path := range a.OpenAPI().Paths {
		for _, op := range []*huma.Operation{path.Get, path.Post, path.Put, path.Patch, path.Delete} {
			if op == nil {
				continue
			}
			for _, r := range op.Responses {
				for _, mt := range r.Content {
					visit(mt.Schema)
				}
			}
		}
	}
	return out
}

// bareDecimals returns the fields of struct type rt (embedded structs
// flattened, as encoding/json does) that hold a decimal.Decimal, directly,
// behind a pointer or in a map, and are not tagged money:"-".
func bareDecimals(rt reflect.Type) []string {
	dec := reflect.TypeFor[decimal.Decimal]()
	var out []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, bareDecimals(f.Type)...)
			continue
		}
		if !f.IsExported() || f.Tag.Get("json") == "-" || f.Tag.Get("money") == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Map || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft == dec {
			out = append(out, rt.Name()+"."+f.Name)
		}
	}
	return out
}

// TestOutputAmountsCarryTheirCurrency is the class guard of issue 13's
// "money.Amount is the only amount type in outputs": no type an operation
// answers with holds an amount as a bare decimal.Decimal, which encoding/json
// writes without its currency's digits ("-5" for -5.00 EUR). An amount is
// a money.Amount, or a string the handler formatted with money.Fixed;
// decimals that are not amounts (rates, quantities, percentages, credits)
// are tagged money:"-".
func TestOutputAmountsCarryTheirCurrency(t *testing.T) {
	t.Parallel()
	types := outputTypes(t, goldenAPI(t))
	if len(types) < 50 {
		t.Fatalf("found only %d output schemas: the walk misses the responses", len(types))
	}
	var bare []string
	for _, rt := range types {
		for rt != nil && rt.Kind() == reflect.Pointer {
			rt = rt.Elem()
		}
		if rt == nil || rt.Kind() != reflect.Struct {
			continue
		}
		bare = append(bare, bareDecimals(rt)...)
	}
	slices.Sort(bare)
	bare = slices.Compact(bare)
	if len(bare) > 0 {
		t.Errorf("%d output amounts are bare decimals (make them money.Amount, or tag a non-amount money:\"-\"):\n  %s",
			len(bare), strings.Join(bare, "\n  "))
	}
}

// TestBareDecimals checks the guard's field walk on sample types: bare
// decimals direct, behind a pointer, in a map or slice and in an embedded
// struct are found; Amounts, UnitPrices and fields tagged money:"-" or
// json:"-" are not.
func TestBareDecimals(t *testing.T) {
	t.Parallel()
	type inner struct {
		Fee decimal.Decimal `json:"fee"`
	}
	type sample struct {
		inner
		Total    decimal.Decimal            `json:"total"`
		Price    *decimal.Decimal           `json:"price"`
		Buckets  map[string]decimal.Decimal `json:"buckets"`
		Parts    []decimal.Decimal          `json:"parts"`
		Quantity decimal.Decimal            `json:"quantity" money:"-"`
		Hidden   decimal.Decimal            `json:"-"`
		Net      money.Amount               `json:"net"`
		Rate     money.UnitPrice            `json:"rate"`
	}
	got := bareDecimals(reflect.TypeFor[sample]())
	want := []string{"inner.Fee", "sample.Total", "sample.Price", "sample.Buckets", "sample.Parts"}
	if !slices.Equal(got, want) {
		t.Errorf("bareDecimals = %v, want %v", got, want)
	}
}
