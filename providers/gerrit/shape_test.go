package gerrit

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// TestParseSaysBadFieldsInWords checks that a 400 names the field that is
// of the wrong kind, in words.
func TestParseSaysBadFieldsInWords(t *testing.T) {
	providertest.ParseErrors(t, newTestProvider(t, Options{}), "", []providertest.ParseErrorCase{
		{Name: "change number a word", Body: `{"type":"patchset-created","change":{"number":"x"}}`, Status: http.StatusBadRequest, Err: "bad payload: gerrit event: field change.number: want a whole number, got a string"},
		{Name: "patch set number a fraction", Body: `{"type":"patchset-created","patchSet":{"number":1.5}}`, Status: http.StatusBadRequest, Err: "bad payload: gerrit event: field patchSet.number: want a whole number, got a number"},
		{Name: "change number true", Body: `{"type":"patchset-created","change":{"number":true}}`, Status: http.StatusBadRequest, Err: "bad payload: gerrit event: field change.number: want a whole number, got true or false"},
		{Name: "project name a number", Body: `{"type":"patchset-created","change":{"project":{"name":5}}}`, Status: http.StatusBadRequest, Err: "bad payload: gerrit event: field change.project.name: want a string, got a number"},
		{Name: "body an array", Body: `[]`, Status: http.StatusBadRequest, Err: "bad payload: gerrit event: body is not a JSON object, got an array"},
	})
}
