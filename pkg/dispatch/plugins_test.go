package dispatch

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/hold"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

// pluginSCM is the in-memory SCM of the plugin tests as a provider.
type pluginSCM struct{ *pluginstest.SCM }

func (pluginSCM) Verify(context.Context, *http.Request, []byte) error { return nil }

func (pluginSCM) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

// A comment's plugin commands run and are in the answer, beside the jobs
// its /test starts.
func TestHandleRunsPlugins(t *testing.T) {
	d, l := newDispatcher(t)
	scm := pluginstest.New()
	scm.Collaborators = []string{"alice"}
	scm.PR = event.Event{HeadSHA: "he4d", BaseRef: "main", Author: "bob"}
	file := &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{"org": {Plugins: []string{"trigger", "hold"}}}}
	d.Plugins = &plugins.Runner{Config: func() *triggers.PluginsFile { return file }}
	out, err := d.Handle(t.Context(), instance(pluginSCM{scm}), comment("/hold\n/test manual"))
	if err != nil {
		t.Fatal(err)
	}
	want := []plugins.Result{{Plugin: "hold", Command: "/hold", User: "alice", Result: "added do-not-merge/hold"}}
	if diff := cmp.Diff(want, out.Plugins); diff != "" {
		t.Errorf("plugins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"manual"}, l.jobs); diff != "" {
		t.Errorf("launched (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"do-not-merge/hold"}, scm.State().Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	data, _ := json.Marshal(out)
	if !strings.Contains(string(data), `"plugins":[{"plugin":"hold","command":"/hold","user":"alice","result":"added do-not-merge/hold"}]`) {
		t.Errorf("answer lacks the plugins list: %s", data)
	}
}
