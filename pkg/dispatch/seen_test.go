package dispatch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/hold"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

func TestSeenRemembersCompletedSteps(t *testing.T) {
	now := time.Unix(0, 0)
	s := &Seen{TTL: time.Minute, Max: 2, Now: func() time.Time { return now }}
	ctx := context.Background()
	claim := func(key string) Claim {
		t.Helper()
		c, err := s.Claim(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := claim("a"); c.Done {
		t.Fatal("a new key is done")
	} else {
		c.Release(false)
	}
	if c := claim("a"); c.Done {
		t.Fatal("a failed step is remembered as done")
	} else {
		c.Release(true)
	}
	if !claim("a").Done {
		t.Fatal("a completed step is not remembered")
	}
	if c := claim(""); c.Done {
		t.Fatal("a delivery without an id is done")
	} else {
		c.Release(true)
	}
	if c := claim(""); c.Done {
		t.Fatal("a delivery without an id is remembered")
	}

	now = now.Add(2 * time.Minute)
	if claim("a").Done {
		t.Fatal("a step is remembered past the TTL")
	}
	for _, k := range []string{"b", "c", "d"} {
		claim(k).Release(true)
	}
	if s.Len() != 2 {
		t.Fatalf("Len = %d, want the Max of 2", s.Len())
	}
	if claim("b").Done || !claim("d").Done {
		t.Fatal("past Max the oldest step must be forgotten first")
	}
}

func TestSeenCopiesTakeTurns(t *testing.T) {
	s := &Seen{}
	first, err := s.Claim(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan Claim)
	go func() {
		c, err := s.Claim(context.Background(), "k")
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	select {
	case <-got:
		t.Fatal("the second copy did not wait for the first")
	case <-time.After(50 * time.Millisecond):
	}
	first.Release(true)
	if c := <-got; !c.Done {
		t.Fatal("the second copy runs the step the first completed")
	}

	held, _ := s.Claim(context.Background(), "other")
	defer held.Release(false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Claim(ctx, "other"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting past the context: err %v, want its deadline", err)
	}
}

// A pull request from someone untrusted delivered twice is told about
// /ok-to-test once, even where comments cannot be listed.
func TestRedeliveredRefusalCommentsOnce(t *testing.T) {
	d, _ := trustDispatcher(t, "")
	scm := newTrustSCM()
	ev := byStranger(pullRequest(event.ActionOpened))
	for range 2 {
		if _, err := d.Handle(context.Background(), instance(scm), ev); err != nil {
			t.Fatal(err)
		}
	}
	out, err := d.Handle(context.Background(), instance(scm), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(scm.comments) != 1 {
		t.Errorf("three copies of one delivery posted %d comments, want 1", len(scm.comments))
	}
	if len(out.Redelivered) == 0 || !strings.Contains(out.Redelivered[0], ev.Delivery) {
		t.Errorf("Redelivered = %q, want what was not posted again and the delivery", out.Redelivered)
	}
}

// A comment's commands run once per delivery; a failed plugin runs again
// when the delivery comes again.
func TestRedeliveredCommandsRunOnce(t *testing.T) {
	d, _ := newDispatcher(t)
	scm := pluginstest.New()
	scm.Collaborators = []string{"alice"}
	scm.PR = event.Event{HeadSHA: "he4d", BaseRef: "main", Author: "bob"}
	file := &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{"org": {Plugins: []string{"hold"}}}}
	d.Plugins = &plugins.Runner{Config: func() *triggers.PluginsFile { return file }}
	ev := comment("/hold")

	scm.Fail = map[string]error{"AddLabel": errors.New("backend down")}
	out, err := d.Handle(t.Context(), instance(pluginSCM{scm}), ev)
	if err != nil || len(out.Plugins) != 1 || out.Plugins[0].Error == "" {
		t.Fatalf("with the SCM failing: %+v, %v; want the plugin's failure", out.Plugins, err)
	}
	scm.Fail = nil
	out, err = d.Handle(t.Context(), instance(pluginSCM{scm}), ev)
	if err != nil || len(out.Plugins) != 1 || out.Plugins[0].Error != "" {
		t.Fatalf("the copy after a failure: %+v, %v; want the plugin run again, successfully", out.Plugins, err)
	}
	out, err = d.Handle(t.Context(), instance(pluginSCM{scm}), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Plugins) != 0 || len(out.Redelivered) != 1 || !strings.Contains(out.Redelivered[0], "plugins not run again") {
		t.Errorf("the copy after a success: plugins %+v, redelivered %q; want none run and that said", out.Plugins, out.Redelivered)
	}
}
