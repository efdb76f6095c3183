package form

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
)

// The sales items' advanced filter as a form (seed 002's "Filtro" tool).

// The form holds groups of rows: a row compares a field with a value, the
// rows of a group combine with the group's and/or, and the groups with the
// form's. It builds the service's Condition always with the same shape,
// {op, conditions: [{op, conditions: [rows…]}…]}, so an error the service
// names by path (filter.conditions[1].conditions[0].value) finds its row.
const (
	advMaxGroups = 5
	advMaxRows   = 8
)

// AdvRow is a row of the advanced filter: a field compared with a value.
type AdvRow struct {
	Field, Op, Value string
	Path             string // the service's path of the row's condition; "" for an empty row
	Focus            bool   // the row a button just added: it takes the focus
}

// AdvGroup is a group of rows, combined with its and/or.
type AdvGroup struct {
	Op   string
	Rows []AdvRow
}

// Advanced is the advanced filter: its groups, combined with its and/or,
// and the choices it offers.
type Advanced struct {
	Op     string
	Groups []AdvGroup
	Fields []string // the fields and operators the service accepts
	Ops    []string
	Built  string // the filter built, in words, "" when empty
	Open   bool   // a button of the filter was used: show it open
}

// ParseAdvanced reads the filter's rows from the query, applies the
// add/remove buttons (adv_do: "row:G", "group", "del:G.R") and builds the
// condition.
func ParseAdvanced(q url.Values) (*Advanced, *service.Condition) {
	f := &Advanced{Op: andOr(q.Get("adv")), Fields: service.AdvancedFieldNames(), Ops: service.AdvancedOps}
	for g := range advMaxGroups {
		key := fmt.Sprintf("adv.g%d", g)
		if !q.Has(key) {
			continue
		}
		grp := AdvGroup{Op: andOr(q.Get(key))}
		for r := range advMaxRows {
			rk := fmt.Sprintf("%s.r%d", key, r)
			if !q.Has(rk + ".f") {
				continue
			}
			grp.Rows = append(grp.Rows, AdvRow{Field: q.Get(rk + ".f"), Op: q.Get(rk + ".o"), Value: q.Get(rk + ".v")})
		}
		f.Groups = append(f.Groups, grp)
	}
	do := q.Get("adv_do")
	f.Open = do != ""
	switch {
	case do == "group" && len(f.Groups) < advMaxGroups:
		f.Groups = append(f.Groups, AdvGroup{Op: "and", Rows: []AdvRow{{Focus: true}}})
	case strings.HasPrefix(do, "row:"):
		if g, err := strconv.Atoi(do[4:]); err == nil && g >= 0 && g < len(f.Groups) && len(f.Groups[g].Rows) < advMaxRows {
			f.Groups[g].Rows = append(f.Groups[g].Rows, AdvRow{Focus: true})
		}
	case strings.HasPrefix(do, "del:"):
		var g, r int
		if _, err := fmt.Sscanf(do[4:], "%d.%d", &g, &r); err == nil && g >= 0 && g < len(f.Groups) && r >= 0 && r < len(f.Groups[g].Rows) {
			f.Groups[g].Rows = slices.Delete(f.Groups[g].Rows, r, r+1)
			if len(f.Groups[g].Rows) == 0 {
				f.Groups = slices.Delete(f.Groups, g, g+1)
			}
		}
	}
	top := service.Condition{Op: f.Op}
	for gi := range f.Groups {
		grp := &f.Groups[gi]
		c := service.Condition{Op: grp.Op}
		for ri := range grp.Rows {
			row := &grp.Rows[ri]
			if row.Field == "" {
				continue
			}
			row.Path = fmt.Sprintf("filter.conditions[%d].conditions[%d]", len(top.Children), len(c.Children))
			cond := service.Condition{Op: row.Op, Field: row.Field, Value: strings.TrimSpace(row.Value)}
			if row.Op == "in" {
				cond.Value = ""
				for v := range strings.SplitSeq(row.Value, ",") {
					if v = strings.TrimSpace(v); v != "" {
						cond.Values = append(cond.Values, v)
					}
				}
			}
			c.Children = append(c.Children, cond)
		}
		if len(c.Children) > 0 {
			top.Children = append(top.Children, c)
		}
	}
	if len(f.Groups) == 0 {
		f.Groups = []AdvGroup{{Op: "and", Rows: []AdvRow{{}}}}
	}
	if len(top.Children) == 0 {
		return f, nil
	}
	return f, &top
}

func andOr(s string) string {
	if s == "or" {
		return "or"
	}
	return "and"
}

// Values sets the filter's rows as query parameters (for the pager's links).
func (f *Advanced) Values(v url.Values) {
	v.Set("adv", f.Op)
	for gi, g := range f.Groups {
		key := fmt.Sprintf("adv.g%d", gi)
		v.Set(key, g.Op)
		for ri, r := range g.Rows {
			if r.Field == "" {
				continue
			}
			rk := fmt.Sprintf("%s.r%d", key, ri)
			v.Set(rk+".f", r.Field)
			v.Set(rk+".o", r.Op)
			v.Set(rk+".v", r.Value)
		}
	}
}

// Describe writes a built condition in words, in lang.
func Describe(lang string, c service.Condition, top bool) string {
	switch c.Op {
	case "and", "or", "not":
		parts := make([]string, len(c.Children))
		for i, ch := range c.Children {
			parts[i] = Describe(lang, ch, false)
		}
		if c.Op == "not" {
			return messages.Text(lang, "advjoin.not") + " (" + strings.Join(parts, "") + ")"
		}
		s := strings.Join(parts, " "+messages.Text(lang, "advjoin."+c.Op)+" ")
		if !top && len(parts) > 1 {
			s = "(" + s + ")"
		}
		return s
	}
	v := strconv.Quote(c.Value)
	if c.Op == "in" {
		q := make([]string, len(c.Values))
		for i, x := range c.Values {
			q[i] = strconv.Quote(x)
		}
		v = strings.Join(q, ", ")
	}
	return messages.Text(lang, "advf."+c.Field) + " " + messages.Text(lang, "advop."+c.Op) + " " + v
}
