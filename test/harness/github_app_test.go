package harness

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/github"
)

// TestGitHubAppStandIn drives the stand-in's App and check-run endpoints
// with fresnel's own GitHub App client: a token is minted for the owner's
// installation, a check run is created and then completed in place, and
// a JWT signed with another key is refused.
func TestGitHubAppStandIn(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	gh := NewFakeGitHub()
	defer gh.Close()
	gh.GitHubApp(424242, &key.PublicKey, map[string]int64{"acme": 77})
	p, err := github.NewApp(github.Options{Secret: testSecret, URL: gh.URL, App: &github.App{ID: 424242, Key: key}})
	if err != nil {
		t.Fatal(err)
	}
	ref := event.CommitRef{Repo: "acme/widgets", SHA: testSHA, Number: 7}
	check := providers.Check{Status: providers.Status{State: providers.StatePending, Context: "ci/unit", Description: "Job triggered."}, Job: "unit"}
	id, err := p.SetCheck(t.Context(), ref, "", check)
	if err != nil {
		t.Fatal(err)
	}
	check.State, check.Description, check.FailedStep = providers.StateFailure, "Job failed.", "unit/test"
	if _, err := p.SetCheck(t.Context(), ref, id, check); err != nil {
		t.Fatal(err)
	}
	runs := gh.GitHubCheckRuns()
	if len(runs) != 1 {
		t.Fatalf("check runs = %+v, want one", runs)
	}
	got := runs[0]
	if got.Name != "ci/unit" || got.HeadSHA != testSHA || got.ExternalID != "7/unit" || got.Status != "completed" || got.Conclusion != "failure" || got.Updates != 1 {
		t.Errorf("check run = %+v, want ci/unit on the head, created then completed as a failure", got)
	}
	if !strings.Contains(got.Output.Summary, "unit/test") {
		t.Errorf("summary %q does not name the failed step", got.Output.Summary)
	}
	for _, c := range gh.Calls("", "/repos/") {
		if c.Auth != "token "+GitHubAppToken(77) {
			t.Errorf("%s %s: Authorization %q, want the installation token", c.Method, c.Path, c.Auth)
		}
	}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	stranger, _ := github.NewApp(github.Options{Secret: testSecret, URL: gh.URL, App: &github.App{ID: 424242, Key: other}})
	if _, err := stranger.SetCheck(t.Context(), ref, "", check); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a JWT of another key: err = %v, want a 401", err)
	}
}
