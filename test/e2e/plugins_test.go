package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// pluginsJobs is one presubmit that stays running for an hour, so that
// /cancel has something to stop.
const pluginsJobs = `presubmits:
  %s:
  - name: slow
    always_run: true
    annotations: {fresnel.dev/test-duration: "1h"}
    spec: {containers: [{image: busybox, command: [sh, -c, "sleep 3600"]}]}
`

// pluginsYAML enables the review plugins for the org acme.
const pluginsYAML = "plugins:\n  acme: [trigger, lgtm, hold, cancel, help]\n"

// pluginAnswer is the part of a webhook answer the plugins fill.
type pluginAnswer struct {
	Error   string `json:"error"`
	Plugins []struct {
		Plugin  string `json:"plugin"`
		Command string `json:"command"`
		User    string `json:"user"`
		Result  string `json:"result"`
		Error   string `json:"error"`
	} `json:"plugins"`
}

// sendPlugins posts a delivery and returns what its plugins did, as
// "result" or "error: ..." lines.
func sendPlugins(t *testing.T, f *harness.Fresnel, d delivery) []string {
	t.Helper()
	resp, data, err := f.SendPath(d.path, d.header, d.body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var ans pluginAnswer
	if err := json.Unmarshal(data, &ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %d: %s", resp.StatusCode, data)
	}
	var out []string
	for _, p := range ans.Plugins {
		if p.Error != "" {
			out = append(out, "error: "+p.Error)
			continue
		}
		out = append(out, p.Result)
	}
	return out
}

var deliveries atomic.Int64

// nextDelivery is a new delivery id: each comment is a new delivery.
func nextDelivery() string { return fmt.Sprintf("plugins-comment-%d", deliveries.Add(1)) }

// pluginsFlow is one SCM's deliveries for the plugins test.
type pluginsFlow struct {
	fake    *harness.FakeSCM
	repo    string
	author  string
	opened  delivery
	comment func(author, text string) delivery
	// forged, when set, is a label event of a stranger adding lgtm.
	forged func() delivery
	// review, when set, is a review of user in state (approved, ...).
	review func(user, state string) delivery
}

func checkPlugins(t *testing.T, ns string, f *harness.Fresnel, fl pluginsFlow) {
	if got := sendPlugins(t, f, fl.opened); len(got) != 0 {
		t.Errorf("opening did plugin work: %v", got)
	}
	if n := len(listRuns(t, ns)); n != 1 {
		t.Fatalf("runs after opening = %d, want 1", n)
	}
	steps := []struct {
		user, text string
		want       []string
		wantLabels []string
	}{
		{user: fl.author, text: "/lgtm", want: []string{"error: you cannot LGTM your own pull request."}},
		{user: "bob", text: "Nice.\r\n/lgtm", want: []string{"added lgtm"}, wantLabels: []string{"lgtm"}},
		{user: "bob", text: "/hold", want: []string{"added do-not-merge/hold"}, wantLabels: []string{"lgtm", "do-not-merge/hold"}},
		{user: "bob", text: "/lh-hold cancel", want: []string{"removed do-not-merge/hold"}, wantLabels: []string{"lgtm"}},
	}
	for _, s := range steps {
		got := sendPlugins(t, f, fl.comment(s.user, s.text))
		if !slices.Equal(got, s.want) {
			t.Errorf("%s %q: plugins = %q, want %q", s.user, s.text, got, s.want)
		}
		if labels := fl.fake.Labels(fl.repo, 7); !slices.Equal(labels, s.wantLabels) {
			t.Errorf("after %q: labels = %q, want %q", s.text, labels, s.wantLabels)
		}
	}
	wantComments := []string{"@" + fl.author + ": `/lgtm`: you cannot LGTM your own pull request."}
	if fl.review != nil {
		checkReviews(t, f, fl)
	}
	if fl.forged != nil {
		wantComments = append(wantComments, checkForged(t, f, fl)...)
	}
	checkCancel(t, ns, f, fl)
	wantComments = append(wantComments, "@bob: `/cancel slow`: there is no unfinished run of slow to cancel.")
	var comments []string
	for _, c := range fl.fake.Comments(fl.repo, 7) {
		comments = append(comments, c.Body)
	}
	if !slices.Equal(comments, wantComments) {
		t.Errorf("comments at the SCM:\n%q\nwant\n%q", comments, wantComments)
	}
}

// checkReviews: with review_acts_as_lgtm, requesting changes removes the
// lgtm and approving adds it back.
func checkReviews(t *testing.T, f *harness.Fresnel, fl pluginsFlow) {
	steps := []struct {
		state      string
		want       []string
		wantLabels []string
	}{
		{state: "changes_requested", want: []string{"removed lgtm (review)"}},
		{state: "approved", want: []string{"added lgtm (review)"}, wantLabels: []string{"lgtm"}},
	}
	for _, s := range steps {
		if got := sendPlugins(t, f, fl.review("bob", s.state)); !slices.Equal(got, s.want) {
			t.Errorf("review %s: plugins = %q, want %q", s.state, got, s.want)
		}
		if labels := fl.fake.Labels(fl.repo, 7); !slices.Equal(labels, s.wantLabels) {
			t.Errorf("after review %s: labels = %q, want %q", s.state, labels, s.wantLabels)
		}
	}
}

// checkForged has a stranger add lgtm by hand: fresnel takes it off again.
func checkForged(t *testing.T, f *harness.Fresnel, fl pluginsFlow) []string {
	fl.fake.SetLabels(fl.repo, 7, "lgtm", "kind/bug")
	got := sendPlugins(t, f, fl.forged())
	if want := []string{"removed lgtm label added by @mallory"}; !slices.Equal(got, want) {
		t.Errorf("forged label: plugins = %q, want %q", got, want)
	}
	if labels := fl.fake.Labels(fl.repo, 7); !slices.Equal(labels, []string{"kind/bug"}) {
		t.Errorf("labels after the forged lgtm = %q, want it removed", labels)
	}
	return []string{"@mallory: the lgtm label can only be set with /lgtm by a collaborator who is not the author; it has been removed."}
}

// checkCancel stops the running run with /cancel; a second /cancel has
// nothing left and gets a reply.
func checkCancel(t *testing.T, ns string, f *harness.Fresnel, fl pluginsFlow) {
	runs := listRuns(t, ns)
	got := sendPlugins(t, f, fl.comment("bob", "/cancel slow"))
	if want := []string{"cancelled " + runs[0].Name}; !slices.Equal(got, want) {
		t.Errorf("/cancel: plugins = %q, want %q", got, want)
	}
	for _, pr := range listRuns(t, ns) {
		// A started run is cancelled so that its finally tasks still run.
		if pr.Spec.Status != "CancelledRunFinally" || !strings.Contains(pr.Annotations["fresnel.dev/cancelled"], "@bob") {
			t.Errorf("%s: spec.status %q, cancelled annotation %q; want CancelledRunFinally by @bob", pr.Name, pr.Spec.Status, pr.Annotations["fresnel.dev/cancelled"])
		}
	}
	got = sendPlugins(t, f, fl.comment("bob", "/cancel slow"))
	if want := []string{"error: there is no unfinished run of slow to cancel."}; !slices.Equal(got, want) {
		t.Errorf("second /cancel: plugins = %q, want %q", got, want)
	}
}

func TestPluginsGitHub(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 7, headSHA, "main", []string{"main.go"})
	settings := strings.Replace(githubSettings(ns, gh.URL), "  config: config.yaml\n", "  config: config.yaml\n  plugins: plugins.yaml\n", 1)
	f := startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml": fmt.Sprintf(pluginsJobs, repo), "plugins.yaml": pluginsYAML + "lgtm:\n- repos: [acme]\n  review_acts_as_lgtm: true\n",
		"github-hmac": string(githubSecret), "github-token": "ghp_e2e",
	})
	path := harness.HookPath("github", "public")
	opened := harness.GitHubPullRequestEvent("opened", repo, 7, headSHA, "main")
	checkPlugins(t, ns, f, pluginsFlow{
		fake: gh, repo: repo, author: "octocat",
		opened: delivery{path, harness.GitHubHeader("pull_request", "plugins-opened", githubSecret, opened), opened},
		comment: func(author, text string) delivery {
			body := harness.GitHubPullRequestComment(repo, 7, author, text)
			return delivery{path, harness.GitHubHeader("issue_comment", nextDelivery(), githubSecret, body), body}
		},
		forged: func() delivery {
			body := gitHubLabeled(t, opened, "lgtm", "mallory")
			return delivery{path, harness.GitHubHeader("pull_request", "plugins-forged", githubSecret, body), body}
		},
		review: func(user, state string) delivery {
			body := gitHubReview(t, opened, user, state)
			return delivery{path, harness.GitHubHeader("pull_request_review", nextDelivery(), githubSecret, body), body}
		},
	})
}

// gitHubReview is user's pull_request_review of the pull request opened.
func gitHubReview(t *testing.T, opened []byte, user, state string) []byte {
	var m map[string]any
	if err := json.Unmarshal(opened, &m); err != nil {
		t.Fatal(err)
	}
	m["action"], m["sender"] = "submitted", map[string]any{"login": user, "id": 5}
	m["review"] = map[string]any{"id": 80, "body": "", "state": state, "commit_id": headSHA, "user": map[string]any{"login": user, "id": 5}}
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// gitHubLabeled turns a pull_request delivery into sender's "labeled" one.
func gitHubLabeled(t *testing.T, opened []byte, label, sender string) []byte {
	var m map[string]any
	if err := json.Unmarshal(opened, &m); err != nil {
		t.Fatal(err)
	}
	m["action"], m["label"] = "labeled", map[string]any{"name": label, "color": "15dd18"}
	m["sender"] = map[string]any{"login": sender, "id": 66}
	m["pull_request"].(map[string]any)["labels"] = []any{map[string]any{"name": label}}
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestPluginsGitLab(t *testing.T) {
	ns := newNamespace(t)
	const project = "acme/widgets"
	gl := harness.NewFakeGitLab()
	defer gl.Close()
	gl.GitLabMergeRequest(project, 7, headSHA, "feature", "main", []string{"main.go"})
	in := scmInstance{kind: "gitlab", name: "main", secret: []byte("e2e-gitlab-plugins"), fake: gl}
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\n  plugins: plugins.yaml\nproviders:\n%s", ns, in.settings())
	f := startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml": fmt.Sprintf(pluginsJobs, project), "plugins.yaml": pluginsYAML,
		in.file("secret"): string(in.secret), in.file("token"): "api-token",
	})
	path := harness.HookPath("gitlab", "main")
	opened := harness.GitLabMergeRequestEvent("open", project, 7, headSHA, "feature", "main")
	checkPlugins(t, ns, f, pluginsFlow{
		fake: gl, repo: project, author: "alice",
		opened: delivery{path, harness.GitLabHeader("Merge Request Hook", "plugins-opened", in.secret), opened},
		comment: func(author, text string) delivery {
			body := harness.GitLabMergeRequestNote(project, 7, headSHA, "feature", "main", author, text)
			return delivery{path, harness.GitLabHeader("Note Hook", nextDelivery(), in.secret), body}
		},
	})
}

// Bitbucket Cloud has no labels: /hold and /lgtm are commit statuses on
// the pull request's head commit.
func TestPluginsBitbucketCloud(t *testing.T) {
	ns := newNamespace(t)
	bbc := harness.NewFakeBitbucketCloud()
	defer bbc.Close()
	bbc.BitbucketCloudPullRequest(repo, 7, shortSHA, "feature", "main", []string{"main.go"})
	in := scmInstance{kind: "bitbucketcloud", name: "cloud", secret: []byte("e2e-bbc-plugins"), fake: bbc}
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\n  plugins: plugins.yaml\nproviders:\n%s", ns, in.settings())
	f := startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml": "presubmits: {}\n", "plugins.yaml": pluginsYAML,
		in.file("secret"): string(in.secret), in.file("token"): "api-token",
	})
	path := harness.HookPath("bitbucketcloud", "cloud")
	steps := []struct {
		user, text string
		want       []string
		wantState  map[string]string
	}{
		{user: "bob", text: "/hold", want: []string{"added do-not-merge/hold"}, wantState: map[string]string{"do-not-merge/hold": "FAILED"}},
		{user: "bob", text: "/hold cancel", want: []string{"removed do-not-merge/hold"}, wantState: map[string]string{"do-not-merge/hold": "SUCCESSFUL"}},
		{user: "alice", text: "/lgtm", want: []string{"error: you cannot LGTM your own pull request."}},
		{user: "bob", text: "/lgtm", want: []string{"added lgtm"}, wantState: map[string]string{"lgtm": "SUCCESSFUL"}},
		{user: "bob", text: "/lgtm cancel", want: []string{"removed lgtm"}, wantState: map[string]string{"lgtm": "FAILED"}},
	}
	for _, s := range steps {
		before := len(bbc.BitbucketCloudStatuses())
		body := harness.BitbucketCloudPullRequestComment(repo, 7, shortSHA, "feature", "main", s.user, s.text)
		got := sendPlugins(t, f, delivery{path, harness.BitbucketCloudHeader("pullrequest:comment_created", nextDelivery(), in.secret, body), body})
		if !slices.Equal(got, s.want) {
			t.Errorf("%s %q: plugins = %q, want %q", s.user, s.text, got, s.want)
		}
		state := map[string]string{}
		for _, st := range bbc.BitbucketCloudStatuses()[before:] {
			if st.SHA != shortSHA {
				t.Errorf("status %s on %s, want the head commit %s", st.Key, st.SHA, shortSHA)
			}
			state[st.Key] = st.State
		}
		if len(s.wantState) > 0 && !maps.Equal(state, s.wantState) || len(s.wantState) == 0 && len(state) > 0 {
			t.Errorf("%q: statuses set = %v, want %v", s.text, state, s.wantState)
		}
	}
	var replies []string
	for _, c := range bbc.BitbucketCloudComments() {
		replies = append(replies, c.Text)
	}
	// Bitbucket Cloud names users by account id and mentions them as @{id}.
	if want := []string{"@{557058:alice}: `/lgtm`: you cannot LGTM your own pull request."}; !slices.Equal(replies, want) {
		t.Errorf("comments at the SCM = %q, want %q", replies, want)
	}
}

// Gerrit votes for /lgtm (Code-Review) and keeps labels as hashtags.
func TestPluginsGerrit(t *testing.T) {
	ns := newNamespace(t)
	g := harness.NewFakeGerrit()
	defer g.Close()
	g.GerritChange(repo, 7, headSHA, []string{"main.go"})
	in := scmInstance{kind: "gerrit", name: "review", secret: []byte("e2e-gerrit-plugins"), fake: g, extra: "  username: fresnel-ci\n"}
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\n  plugins: plugins.yaml\nproviders:\n%s", ns, in.settings())
	f := startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml": "presubmits: {}\n", "plugins.yaml": pluginsYAML,
		in.file("secret"): string(in.secret), in.file("token"): "api-token",
	})
	steps := []struct {
		user, text string
		want       []string
		wantVotes  []map[string]int
		wantTags   []string
	}{
		{user: "alice", text: "/lgtm", want: []string{"error: you cannot LGTM your own pull request."}},
		{user: "bob", text: "/lgtm", want: []string{"voted Code-Review +1"}, wantVotes: []map[string]int{{"Code-Review": 1}}},
		{user: "bob", text: "/hold", want: []string{"added do-not-merge/hold"}, wantTags: []string{"do-not-merge/hold"}},
		{user: "bob", text: "/lgtm cancel", want: []string{"voted Code-Review +0"}, wantVotes: []map[string]int{{"Code-Review": 0}}, wantTags: []string{"do-not-merge/hold"}},
	}
	for _, s := range steps {
		before := len(g.GerritReviews())
		body := harness.GerritCommentAdded(repo, 7, 1, headSHA, "main", s.user, s.text)
		got := sendPlugins(t, f, delivery{harness.HookPath("gerrit", "review"), basicAuth(harness.GerritHeader(), "gerrit", in.secret), body})
		if !slices.Equal(got, s.want) {
			t.Errorf("%s %q: plugins = %q, want %q", s.user, s.text, got, s.want)
		}
		var votes []map[string]int
		for _, r := range g.GerritReviews()[before:] {
			if len(r.Labels) > 0 {
				votes = append(votes, r.Labels)
			}
		}
		if fmt.Sprint(votes) != fmt.Sprint(s.wantVotes) {
			t.Errorf("%q: votes = %v, want %v", s.text, votes, s.wantVotes)
		}
		if tags := g.Labels(repo, 7); !slices.Equal(tags, s.wantTags) {
			t.Errorf("%q: hashtags = %q, want %q", s.text, tags, s.wantTags)
		}
	}
	var messages []string
	for _, r := range g.GerritReviews() {
		messages = append(messages, r.Message)
	}
	want := []string{"@alice: `/lgtm`: you cannot LGTM your own pull request.", "LGTM by @bob", "LGTM cancelled by @bob"}
	if !slices.Equal(messages, want) {
		t.Errorf("review messages = %q, want %q", messages, want)
	}
}
