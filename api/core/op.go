package core

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
)

// Op registers an operation whose errors are mapped to problems in one place.
func Op[I, O any](api huma.API, o huma.Operation, fn func(ctx context.Context, p access.Principal, in *I) (*O, error)) {
	if o.DefaultStatus == 0 && o.Method == http.MethodPost {
		o.DefaultStatus = http.StatusCreated
	}
	o.Errors = append(o.Errors, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity)
	huma.Register(api, o, func(ctx context.Context, in *I) (*O, error) {
		if field := badText(reflect.ValueOf(in).Elem(), ""); field != "" {
			return nil, ProblemFor(ctx, fail.Field(field, "must be UTF-8 text without NUL characters"))
		}
		out, err := fn(ctx, access.FromContext(ctx), in)
		if err != nil {
			return nil, ProblemFor(ctx, err)
		}
		return out, nil
	})
}

// badText returns the name of the first input field (path, query or header
// parameter, or body field) holding text that is not valid UTF-8 or holds a
// NUL byte, or "". PostgreSQL can neither store nor compare such text, so
// without this check the same request fails with a 500 on one engine only.
func badText(v reflect.Value, name string) string {
	join := func(a, b string) string {
		if a == "" {
			return b
		}
		return a + "." + b
	}
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return name
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return badText(v.Elem(), name)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if f := badText(v.Index(i), fmt.Sprintf("%s[%d]", name, i)); f != "" {
				return f
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := fmt.Sprint(it.Key().Interface())
			if f := badText(reflect.ValueOf(k), join(name, k)); f != "" {
				return f
			}
			if f := badText(it.Value(), join(name, k)); f != "" {
				return f
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			field := name
			if !sf.Anonymous && !(name == "" && sf.Name == "Body") { // the body's fields are top-level names
				tag := sf.Name
				for _, k := range []string{"path", "query", "header", "json"} {
					if v, ok := sf.Tag.Lookup(k); ok {
						tag, _, _ = strings.Cut(v, ",")
						break
					}
				}
				if tag == "-" {
					continue
				}
				field = join(name, tag)
			}
			if f := badText(v.Field(i), field); f != "" {
				return f
			}
		}
	}
	return ""
}
