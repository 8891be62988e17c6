package triggers

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Prow decodes its files with sigs.k8s.io/yaml, which, knowing the Go
// type it decodes into, writes a bare number or boolean as a string where
// that type wants a string: an env var's value: 1 is "1". Other mismatches
// (a string where a number is wanted) stay errors. coerce does the same to
// a value before it is decoded into its type.

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// coerce rewrites, in place, the numbers and booleans in v that t wants
// as strings, and returns v with them rewritten. A type that decodes
// itself (a json.Unmarshaler, say a resource quantity) is left alone.
func coerce(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if decodesItself(t) {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		coerceMap(v, t)
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i := range v {
				v[i] = coerce(v[i], t.Elem())
			}
		}
	default:
		if t.Kind() == reflect.String {
			return scalarString(v)
		}
	}
	return v
}

func coerceMap(m map[string]any, t reflect.Type) {
	switch t.Kind() {
	case reflect.Map:
		for k, item := range m {
			m[k] = coerce(item, t.Elem())
		}
	case reflect.Struct:
		fields := jsonFieldsOf(t)
		for k, item := range m {
			if ft, ok := fields.lookup(k); ok {
				m[k] = coerce(item, ft)
			}
		}
	}
}

var selfDecoding sync.Map // reflect.Type -> bool

// decodesItself reports whether t, or a pointer to it, decodes its own
// JSON or text; remembered per type, as the loader asks for every value.
func decodesItself(t reflect.Type) bool {
	if known, ok := selfDecoding.Load(t); ok {
		return known.(bool)
	}
	p := reflect.PointerTo(t)
	self := t.Implements(jsonUnmarshaler) || p.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || p.Implements(textUnmarshaler)
	selfDecoding.Store(t, self)
	return self
}

// scalarString formats a number or boolean as sigs.k8s.io/yaml does;
// anything else is returned as it is.
func scalarString(v any) any {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 32)
	case bool:
		return strconv.FormatBool(v)
	}
	return v
}

// jsonFields maps the JSON names of a struct's fields, promoted fields of
// embedded structs included, to their types.
type jsonFields struct {
	exact map[string]reflect.Type
	// folded finds a key that differs only in case, which encoding/json
	// also accepts.
	folded map[string]reflect.Type
}

func (f jsonFields) lookup(key string) (reflect.Type, bool) {
	if t, ok := f.exact[key]; ok {
		return t, true
	}
	t, ok := f.folded[strings.ToLower(key)]
	return t, ok
}

var fieldCache sync.Map // reflect.Type -> jsonFields

func jsonFieldsOf(t reflect.Type) jsonFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(jsonFields)
	}
	f := jsonFields{exact: map[string]reflect.Type{}, folded: map[string]reflect.Type{}}
	addFields(f, t, 0)
	fieldCache.Store(t, f)
	return f
}

// addFields adds t's fields; a field of an outer struct wins over a
// promoted one of the same name, as in encoding/json.
func addFields(f jsonFields, t reflect.Type, depth int) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := sf.Type
		if sf.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && depth < 8 {
				embedded = append(embedded, ft)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, taken := f.exact[name]; !taken {
			f.exact[name] = ft
			f.folded[strings.ToLower(name)] = ft
		}
	}
	for _, e := range embedded {
		addFields(f, e, depth+1)
	}
}
