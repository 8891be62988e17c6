package bitbucketserver

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// TestParseRefusesMalformedBodies checks that bodies go-scm would
// dereference unchecked get a 400 naming the field, not a recovered panic,
// and that decoder errors are said in words.
func TestParseRefusesMalformedBodies(t *testing.T) {
	providertest.ParseErrors(t, newTestProvider(t, "https://bitbucket.example.com"), "X-Event-Key", []providertest.ParseErrorCase{
		{Name: "opened with only its event key", Event: "pr:opened", Body: `{"eventKey":"pr:opened"}`, Status: http.StatusBadRequest, Err: "bad payload: field actor: missing"},
		{Name: "opened without refs", Event: "pr:opened", Body: `{"eventKey":"pr:opened","actor":{},"pullRequest":{}}`, Status: http.StatusBadRequest, Err: "bad payload: field pullRequest.fromRef: missing"},
		{Name: "comment with only its event key", Event: "pr:comment:added", Body: `{"eventKey":"pr:comment:added"}`, Status: http.StatusBadRequest, Err: "bad payload: field pullRequest: missing"},
		{Name: "comment without author", Event: "pr:comment:added", Body: `{"pullRequest":{"fromRef":{},"toRef":{}},"comment":{}}`, Status: http.StatusBadRequest, Err: "bad payload: field comment.author: missing"},
		{Name: "push with a null change", Event: "repo:refs_changed", Body: `{"eventKey":"repo:refs_changed","actor":{},"repository":{},"changes":[null]}`, Status: http.StatusBadRequest, Err: "bad payload: field changes.0: want a JSON object, got null"},
		{Name: "push with no changes", Event: "repo:refs_changed", Body: `{"eventKey":"repo:refs_changed","actor":{},"repository":{},"changes":[]}`, Status: http.StatusBadRequest, Err: "bad payload: field changes.0: missing"},
		{Name: "wrong kind said in words", Event: "pr:opened", Body: `{"eventKey":"pr:opened","actor":{},"pullRequest":{"fromRef":{},"toRef":{},"draft":1}}`, Status: http.StatusBadRequest, Err: "bad payload: pr:opened: field pullRequest.draft: want true or false, got a number"},
	})
}

func TestIdentify(t *testing.T) {
	providertest.IdentifySuite(t, newTestProvider(t, "https://bitbucket.example.com"), payloads(t), "X-Event-Key", deliveryHeader)
}
