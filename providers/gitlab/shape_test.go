package gitlab

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// TestParseRefusesMalformedBodies checks that bodies go-scm would
// dereference unchecked get a 400 naming the field, not a recovered panic,
// and that decoder errors are said in words.
func TestParseRefusesMalformedBodies(t *testing.T) {
	providertest.ParseErrors(t, newTestProvider(t, ""), "X-Gitlab-Event", []providertest.ParseErrorCase{
		{Name: "merge request null", Event: mergeRequestHook, Body: `null`, Status: http.StatusBadRequest, Err: "bad payload: body is not a JSON object, got null"},
		{Name: "merge request empty", Event: mergeRequestHook, Body: `{}`, Status: http.StatusBadRequest, Err: "bad payload: field object_attributes: missing"},
		{Name: "merge request without source", Event: mergeRequestHook, Body: `{"object_attributes":{"target":{}}}`, Status: http.StatusBadRequest, Err: "bad payload: field object_attributes.source: missing"},
		{Name: "merge request null target", Event: mergeRequestHook, Body: `{"object_attributes":{"source":{},"target":null}}`, Status: http.StatusBadRequest, Err: "bad payload: field object_attributes.target: want a JSON object, got null"},
		{Name: "wrong kind said in words", Event: pushHook, Body: `{"user":5}`, Status: http.StatusBadRequest, Err: "bad payload: Push Hook: field user: want a JSON object, got a number"},
		{Name: "note array", Event: noteHook, Body: `[]`, Status: http.StatusBadRequest, Err: "bad payload: body is not a JSON object, got an array"},
	})
}

func TestIdentify(t *testing.T) {
	providertest.IdentifySuite(t, newTestProvider(t, ""), payloads(t), "X-Gitlab-Event", deliveryHeaders...)
}
