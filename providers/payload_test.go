package providers_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/providers"
)

type decoded struct {
	Created time.Time `json:"created_on"`
	User    struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
	Number int      `json:"number"`
	Labels []string `json:"labels"`
	Draft  bool     `json:"draft"`
}

func TestJSONProblem(t *testing.T) {
	tests := map[string]struct {
		body string
		want string
	}{
		"number for a string":        {body: `{"user":{"id":5}}`, want: "field user.id: want a string, got a number"},
		"string for a whole number":  {body: `{"number":"7"}`, want: "field number: want a whole number, got a string"},
		"object for an array":        {body: `{"labels":{}}`, want: "field labels: want an array, got an object"},
		"string for a boolean":       {body: `{"draft":"yes"}`, want: "field draft: want true or false, got a string"},
		"array for the body":         {body: `[1]`, want: "body is not a JSON object, got an array"},
		"string for a nested object": {body: `{"user":"x"}`, want: "field user: want a JSON object, got a string"},
		"cut short":                  {body: `{"user":`, want: "body is not valid JSON at byte 8: unexpected end of JSON input"},
		"time not RFC 3339":          {body: `{"created_on":"yesterday"}`, want: `a time is not in RFC 3339 form (2006-01-02T15:04:05Z): "yesterday"`},
		"not JSON":                   {body: `{"user" 1}`, want: "body is not valid JSON at byte 9: invalid character '1' after object key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var v decoded
			err := json.Unmarshal([]byte(tc.body), &v)
			if err == nil {
				t.Fatalf("decoding %s: want an error", tc.body)
			}
			if got := providers.JSONProblem(err); got != tc.want {
				t.Errorf("JSONProblem = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRequireObjects(t *testing.T) {
	paths := []string{"pullRequest.toRef", "changes.0"}
	tests := map[string]struct {
		body string
		want string
	}{
		"all there":            {body: `{"pullRequest":{"toRef":{}},"changes":[{}]}`},
		"null body":            {body: `null`, want: "bad payload: body is not a JSON object, got null"},
		"array body":           {body: `[]`, want: "bad payload: body is not a JSON object, got an array"},
		"not JSON":             {body: `{"a":`, want: "bad payload: body is not valid JSON"},
		"outer field missing":  {body: `{}`, want: "bad payload: field pullRequest: missing"},
		"outer field null":     {body: `{"pullRequest":null}`, want: "bad payload: field pullRequest: want a JSON object, got null"},
		"inner field missing":  {body: `{"pullRequest":{}}`, want: "bad payload: field pullRequest.toRef: missing"},
		"inner field a number": {body: `{"pullRequest":{"toRef":3}}`, want: "bad payload: field pullRequest.toRef: want a JSON object, got a number"},
		"empty array":          {body: `{"pullRequest":{"toRef":{}},"changes":[]}`, want: "bad payload: field changes.0: missing"},
		"array entry null":     {body: `{"pullRequest":{"toRef":{}},"changes":[null]}`, want: "bad payload: field changes.0: want a JSON object, got null"},
		"object for the array": {body: `{"pullRequest":{"toRef":{}},"changes":{"0":{}}}`, want: "bad payload: field changes: want an array, got an object"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := providers.RequireObjects([]byte(tc.body), paths...)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, providers.ErrBadPayload) {
					t.Errorf("error %v is not a bad payload", err)
				}
			}
			if got != tc.want {
				t.Errorf("RequireObjects(%s) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestParserPanic(t *testing.T) {
	err := error(providers.ParserPanic{Value: "runtime error: invalid memory address or nil pointer dereference"})
	if !errors.Is(err, providers.ErrBadPayload) || !providers.IsParserPanic(err) {
		t.Errorf("%v: want a bad payload and a parser panic", err)
	}
	if strings.Contains(err.Error(), "runtime error") {
		t.Errorf("%q tells the sender about Go internals", err.Error())
	}
	if providers.IsParserPanic(providers.BadPayload("no head SHA")) {
		t.Error("a plain bad payload counts as a parser panic")
	}
}
