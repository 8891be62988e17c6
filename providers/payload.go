package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// ParserPanic is the error for a payload on which a parser panicked. It is
// a bad payload to the sender (a 400 that names no Go internals) and a bug
// to fresnel: the server logs Value and Stack and counts it, and the providers' fuzz
// tests fail on it.
type ParserPanic struct {
	Value any
	// Stack is where it panicked, when the recovering code took it.
	Stack string
}

func (e ParserPanic) Error() string {
	return ErrBadPayload.Error() + ": the parser failed on this payload"
}

// Is makes errors.Is(err, ErrBadPayload) hold, so the sender gets a 400.
func (e ParserPanic) Is(target error) bool { return target == ErrBadPayload }

// IsParserPanic reports whether err is, or wraps, a ParserPanic.
func IsParserPanic(err error) bool {
	var p ParserPanic
	return errors.As(err, &p)
}

// JSONProblem says in words what a JSON decoder's error found wrong with a
// body ("field user.id: want a string, got a number", "body is not a JSON
// object"), naming no Go types. Errors it does not know are returned as
// they read.
func JSONProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var date *time.ParseError
	switch {
	case errors.As(err, &date):
		return fmt.Sprintf("a time is not in RFC 3339 form (2006-01-02T15:04:05Z): %q", date.Value)
	case errors.As(err, &typ):
		return typeProblem(typ)
	case errors.As(err, &syntax):
		return fmt.Sprintf("body is not valid JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "body ends before its JSON does"
	}
	return err.Error()
}

func typeProblem(e *json.UnmarshalTypeError) string {
	got := strings.Fields(e.Value)
	gotWord := "a value"
	if len(got) > 0 {
		gotWord = article(got[0])
	}
	field := strings.TrimPrefix(e.Field, ".")
	if field == "" {
		return fmt.Sprintf("body is not %s, got %s", wantWord(e.Type), gotWord)
	}
	return fmt.Sprintf("field %s: want %s, got %s", field, wantWord(e.Type), gotWord)
}

// wantWord names the JSON kind a Go type decodes from.
func wantWord(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	}
	return "another kind of value"
}

// article names a JSON kind as the decoder spells it ("number", "array").
func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "bool":
		return "true or false"
	case "number", "string":
		return "a " + kind
	}
	return kind
}

// RequireObjects checks that body is a JSON object and that each of paths
// is an object in it. A path is dotted field names, a number standing for
// an index in an array ("pullRequest.toRef", "changes.0"). The error is a
// bad payload naming the first field that is missing or of another kind,
// so a parser can refuse a body before code that would dereference the
// field reads it.
func RequireObjects(body []byte, paths ...string) error {
	if !json.Valid(body) {
		return BadPayload("body is not valid JSON")
	}
	if kind := kindOf(body); kind != "an object" {
		return BadPayload("body is not a JSON object, got %s", kind)
	}
	for _, path := range paths {
		if err := requireObject(body, path); err != nil {
			return err
		}
	}
	return nil
}

func requireObject(body []byte, path string) error {
	raw := json.RawMessage(body)
	parts := strings.Split(path, ".")
	for i, name := range parts {
		field := strings.Join(parts[:i+1], ".")
		next, ok := member(raw, name)
		if !ok {
			return BadPayload("field %s: missing", field)
		}
		want := "an object"
		if i+1 < len(parts) && isIndex(parts[i+1]) {
			want = "an array"
		}
		if kind := kindOf(next); kind != want {
			return BadPayload("field %s: want %s, got %s", field, strings.Replace(want, "an object", "a JSON object", 1), kind)
		}
		raw = next
	}
	return nil
}

// member returns the field name of the object raw, or the element at
// index name of the array raw; raw is valid JSON.
func member(raw json.RawMessage, name string) (json.RawMessage, bool) {
	if i, err := strconv.Atoi(name); err == nil && isIndex(name) {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil || i < 0 || i >= len(list) {
			return nil, false
		}
		return list[i], true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, false
	}
	v, ok := obj[name]
	return v, ok
}

// isIndex reports whether a path part is an array index.
func isIndex(name string) bool {
	_, err := strconv.Atoi(name)
	return err == nil
}

// kindOf names the kind of JSON value raw holds.
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return "a number"
	}
	return "something that is not JSON"
}
