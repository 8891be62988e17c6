package triggers

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// jsonWriter writes a YAML node tree as the JSON sigs.k8s.io/yaml would
// hand to encoding/json for a value of a known Go type: YAML 1.1 scalars,
// a bare number or boolean as a string where the type wants a string. It
// walks the type alongside the nodes and leaves out each key the type has
// no field for, noting it as an unknown field on its own line; encoding/json
// then decodes the rest in one pass.
type jsonWriter struct {
	buf     []byte
	values  *valueBuilder
	unknown []finding
	// merged is set when a mapping with merge keys was written without
	// looking for unknown fields in it.
	merged bool
}

// buffers keeps the writers' buffers: each job's JSON is decoded at once
// and dropped, so one buffer per core serves every job of a load.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

func newJSONWriter(budget *int) *jsonWriter {
	buf := buffers.Get().(*[]byte)
	return &jsonWriter{buf: (*buf)[:0], values: &valueBuilder{budget: budget, active: map[*yaml.Node]bool{}}}
}

// release returns the writer's buffer for the next job.
func (w *jsonWriter) release() {
	buf := w.buf[:0]
	w.buf = nil
	buffers.Put(&buf)
}

// write appends n's JSON; t is the Go type it is decoded into, nil when
// any value goes (an interface, or a type that decodes itself).
func (w *jsonWriter) write(n *yaml.Node, t reflect.Type) error {
	t = derefType(t)
	if *w.values.budget--; *w.values.budget < 0 {
		return errAliasBudget
	}
	switch n.Kind {
	case yaml.AliasNode:
		if w.values.active[n.Alias] {
			return fmt.Errorf("line %d: alias %q refers to a value that contains it", n.Line, n.Value)
		}
		return w.write(n.Alias, t)
	case yaml.MappingNode:
		return w.mapping(n, t)
	case yaml.SequenceNode:
		return w.sequence(n, t)
	case yaml.ScalarNode:
		return w.scalar(scalarValue(n), t)
	}
	return fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func derefType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Interface || decodesItself(t)) {
		return nil
	}
	return t
}

func (w *jsonWriter) sequence(n *yaml.Node, t reflect.Type) error {
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	w.values.active[n] = true
	defer delete(w.values.active, n)
	w.buf = append(w.buf, '[')
	for i, c := range n.Content {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		if err := w.write(c, elem); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, ']')
	return nil
}

// mapping writes a mapping. One with merge keys (<<) is rare: it is built
// as a value first, which resolves the merge, and written from that.
func (w *jsonWriter) mapping(n *yaml.Node, t reflect.Type) error {
	if hasMergeKey(n) {
		w.merged = true
		v, err := w.values.value(n)
		if err != nil {
			return err
		}
		return w.value(v, t)
	}
	w.values.active[n] = true
	defer delete(w.values.active, n)
	w.buf = append(w.buf, '{')
	first := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, err := w.values.key(k)
		if err != nil {
			return err
		}
		ft, known := fieldType(t, key)
		if !known {
			w.unknown = append(w.unknown, finding{severity: SeverityError, line: k.Line, msg: fmt.Sprintf("unknown field %q", key)})
			continue
		}
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		w.buf = appendJSONString(w.buf, key)
		w.buf = append(w.buf, ':')
		if err := w.write(v, ft); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, '}')
	return nil
}

func hasMergeKey(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
			return true
		}
	}
	return false
}

// fieldType is the type of key's value in t, and whether t has such a key:
// a struct only its fields' JSON names (as encoding/json matches them), a
// map any key, anything else (or no type) any key with no known type.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	if t == nil {
		return nil, true
	}
	switch t.Kind() {
	case reflect.Struct:
		return jsonFieldsOf(t).lookup(key)
	case reflect.Map:
		return t.Elem(), true
	}
	return nil, true
}

// value writes a value built by valueBuilder (a merged mapping).
func (w *jsonWriter) value(v any, t reflect.Type) error {
	if t != nil {
		v = coerce(v, t)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.buf = append(w.buf, raw...)
	return nil
}

// scalar writes a resolved scalar, as a string where t is one.
func (w *jsonWriter) scalar(v any, t reflect.Type) error {
	if t != nil && t.Kind() == reflect.String {
		v = scalarString(v)
	}
	switch v := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case bool:
		w.buf = strconv.AppendBool(w.buf, v)
	case int64:
		w.buf = strconv.AppendInt(w.buf, v, 10)
	case uint64:
		w.buf = strconv.AppendUint(w.buf, v, 10)
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return fmt.Errorf("%v cannot be represented in JSON", v)
		}
		w.buf = strconv.AppendFloat(w.buf, v, 'g', -1, 64)
	case string:
		w.buf = appendJSONString(w.buf, v)
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD, as encoding/json writes it.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\r':
				buf = append(buf, '\\', 'r')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
