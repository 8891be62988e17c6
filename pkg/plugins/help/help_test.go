package help_test

import (
	"strings"
	"testing"

	_ "github.com/fresnel-ci/fresnel/pkg/plugins/hold"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/lgtm"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
)

func TestHelpListsEnabledCommands(t *testing.T) {
	scm := pluginstest.New()
	results := pluginstest.Run(scm, pluginstest.CommentEvent("alice", "bob", "/help"), pluginstest.Enable("help", "hold"), nil)
	comments := scm.State().Comments
	if len(results) != 1 || results[0].Error != "" || len(comments) != 1 {
		t.Fatalf("results %+v, comments %q: want one help comment", results, comments)
	}
	for _, want := range []string{"`/hold`", "`/unhold`", "`/help`"} {
		if !strings.Contains(comments[0], want) {
			t.Errorf("help lacks %s:\n%s", want, comments[0])
		}
	}
	if strings.Contains(comments[0], "/lgtm") {
		t.Errorf("help lists /lgtm, which is not enabled:\n%s", comments[0])
	}
}
