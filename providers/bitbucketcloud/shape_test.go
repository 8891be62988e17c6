package bitbucketcloud

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// TestParseRefusesMalformedBodies checks that bodies go-scm would
// dereference unchecked get a 400 naming the field, not a recovered panic,
// and that decoder errors are said in words.
func TestParseRefusesMalformedBodies(t *testing.T) {
	const comment = "pullrequest:comment_created"
	providertest.ParseErrors(t, newTestProvider(t, ""), "X-Event-Key", []providertest.ParseErrorCase{
		{Name: "comment null", Event: comment, Body: `null`, Status: http.StatusBadRequest, Err: "bad payload: body is not a JSON object, got null"},
		{Name: "comment empty", Event: comment, Body: `{}`, Status: http.StatusBadRequest, Err: "bad payload: field actor: missing"},
		{Name: "comment without pull request", Event: comment, Body: `{"actor":{},"comment":{},"repository":{}}`, Status: http.StatusBadRequest, Err: "bad payload: field pullrequest: missing"},
		{Name: "comment null comment", Event: comment, Body: `{"actor":{},"pullrequest":{},"comment":null,"repository":{}}`, Status: http.StatusBadRequest, Err: "bad payload: field comment: want a JSON object, got null"},
		{Name: "wrong kind said in words", Event: "pullrequest:created", Body: `{"pullrequest":{"draft":"no"}}`, Status: http.StatusBadRequest, Err: "bad payload: pullrequest:created: field pullrequest.draft: want true or false, got a string"},
	})
}

func TestIdentify(t *testing.T) {
	providertest.IdentifySuite(t, newTestProvider(t, ""), payloads(t), "X-Event-Key", deliveryHeader)
}
