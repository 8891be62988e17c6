package gerrit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

var testSecret = []byte("topsecret")

const testURL = "https://gerrit.example.com"

func newTestProvider(t testing.TB, opts Options) *Provider {
	t.Helper()
	opts.Secret = testSecret
	if opts.URL == "" {
		opts.URL = testURL
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	providertest.GoldenSuite(t, newTestProvider(t, Options{}), providertest.Shared(t, "gerrit"))
}

// sample reads one shared payload and applies edits to its JSON.
func sample(t *testing.T, name string, edits ...func(map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(providertest.RepoRoot(), "test", "testdata", "webhooks", "gerrit", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) == 0 {
		return data
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, edit := range edits {
		edit(m)
	}
	data, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func setIn(path string, value any) func(map[string]any) {
	return func(m map[string]any) {
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		if value == nil {
			delete(m, keys[len(keys)-1])
			return
		}
		m[keys[len(keys)-1]] = value
	}
}

func TestParseCases(t *testing.T) {
	skipBoth := Options{SkipTrivialRebase: true, SkipNoCodeChange: true}
	tests := []struct {
		name       string
		opts       Options
		body       func(t *testing.T) []byte
		wantStatus int
		wantErr    string
		check      func(t *testing.T, ev event.Event)
	}{
		{
			name: "later patch set synchronizes",
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-patchset-created", setIn("patchSet.number", "3"))
			},
			check: wantAction(event.ActionSynchronize),
		},
		{
			name: "trivial rebase kept by default",
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-patchset-created", setIn("patchSet.kind", "TRIVIAL_REBASE"))
			},
			check: wantAction(event.ActionOpened),
		},
		{
			name: "trivial rebase skipped", opts: skipBoth,
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-patchset-created", setIn("patchSet.kind", "TRIVIAL_REBASE"))
			},
			wantErr: "ignored: patch set 1 is TRIVIAL_REBASE (skipTrivialRebase is set)",
		},
		{
			name: "no code change skipped", opts: Options{SkipNoCodeChange: true},
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-patchset-created", setIn("patchSet.kind", "NO_CODE_CHANGE"))
			},
			wantErr: "ignored: patch set 1 is NO_CODE_CHANGE (skipNoCodeChange is set)",
		},
		{
			name: "no change skipped", opts: skipBoth,
			body: func(t *testing.T) []byte {
				return sample(t, "qt-2x-patchset-created", setIn("patchSet.kind", "NO_CHANGE"))
			},
			wantErr: "ignored: patch set 2 is NO_CHANGE (skipNoCodeChange is set)",
		},
		{
			name: "rework runs with skips set", opts: skipBoth,
			body:  func(t *testing.T) []byte { return sample(t, "snix-3.12-patchset-created") },
			check: wantAction(event.ActionOpened),
		},
		{
			name: "work in progress patch set is a draft",
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-patchset-created", setIn("change.wip", true))
			},
			check: func(t *testing.T, ev event.Event) {
				if !ev.Draft {
					t.Error("Draft = false, want true")
				}
			},
		},
		{
			name: "entering work in progress",
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-wip-state-changed-ready", setIn("change.wip", true))
			},
			check: wantAction(event.ActionConvertToDraft),
		},
		{
			name: "private state changed",
			body: func(t *testing.T) []byte {
				return sample(t, "snix-3.12-wip-state-changed-ready", setIn("type", "private-state-changed"), setIn("change.private", true))
			},
			check: wantAction(event.ActionEdited),
		},
		{
			name: "change restored reopens",
			body: func(t *testing.T) []byte {
				return sample(t, "cdevents-3x-change-abandoned", setIn("type", "change-restored"))
			},
			check: wantAction(event.ActionReopened),
		},
		{
			name: "bare branch name of a very old ref-updated",
			body: func(t *testing.T) []byte {
				return sample(t, "cdevents-3x-ref-updated-branch-created", setIn("refUpdate.refName", "master"))
			},
			check: func(t *testing.T, ev event.Event) {
				if ev.Ref != "refs/heads/master" || ev.BaseRef != "master" {
					t.Errorf("Ref, BaseRef = %q, %q; want refs/heads/master, master", ev.Ref, ev.BaseRef)
				}
			},
		},
		{
			name: "tag pushed",
			body: func(t *testing.T) []byte {
				return sample(t, "cdevents-3x-ref-updated-branch-created", setIn("refUpdate.refName", "refs/tags/v1.0"))
			},
			check: func(t *testing.T, ev event.Event) {
				if !ev.Tag || ev.BaseRef != "v1.0" {
					t.Errorf("Tag, BaseRef = %v, %q; want true, v1.0", ev.Tag, ev.BaseRef)
				}
			},
		},
		{
			name: "ref-updated project only at the top level",
			body: func(t *testing.T) []byte {
				return sample(t, "cdevents-3x-ref-updated-branch-created", setIn("refUpdate.project", nil), setIn("project", map[string]any{"name": "a/b"}))
			},
			check: func(t *testing.T, ev event.Event) {
				want := event.Repo{Owner: "a", Name: "b", FullName: "a/b", CloneURL: testURL + "/a/b"}
				if diff := cmp.Diff(want, ev.Repo); diff != "" {
					t.Errorf("Repo (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "change merged into refs/meta/config",
			body: func(t *testing.T) []byte {
				return sample(t, "cdevents-3x-change-merged", setIn("change.branch", "refs/meta/config"))
			},
			wantErr: "ignored: change merged into refs/meta/config: Gerrit metadata",
		},
		{name: "not JSON", body: raw(`{"type":`), wantStatus: http.StatusBadRequest},
		{name: "JSON null", body: raw(`null`), wantErr: "bad payload: gerrit event without a type"},
		{name: "no type", body: raw(`{"change":{}}`), wantErr: "bad payload: gerrit event without a type"},
		{name: "unknown type", body: raw(`{"type":"hashtags-changed"}`), wantErr: `ignored: event "hashtags-changed" is not handled`},
		{name: "patchset-created without change", body: raw(`{"type":"patchset-created","patchSet":{"number":1}}`), wantErr: "bad payload: patchset-created event without change"},
		{name: "patchset-created without patchSet", body: raw(`{"type":"patchset-created","change":{"number":1}}`), wantErr: "bad payload: patchset-created event without patchSet"},
		{
			name:    "patchset-created without revision or project",
			body:    raw(`{"type":"patchset-created","change":{"number":"7","branch":"main"},"patchSet":{"number":"1"}}`),
			wantErr: "bad payload: pull_request event without repository, head SHA",
		},
		{name: "number not a number", body: raw(`{"type":"comment-added","change":{"number":"x1"}}`), wantStatus: http.StatusBadRequest},
		{name: "number a float", body: raw(`{"type":"comment-added","change":{"number":1.5}}`), wantStatus: http.StatusBadRequest},
		{name: "project a number", body: raw(`{"type":"comment-added","project":5}`), wantStatus: http.StatusBadRequest},
		{name: "ref-updated without refUpdate", body: raw(`{"type":"ref-updated"}`), wantErr: "bad payload: ref-updated event without refUpdate.refName"},
		{name: "ref-updated on a user ref", body: raw(`{"type":"ref-updated","refUpdate":{"refName":"refs/users/01/1","project":"All-Users","newRev":"ab"}}`), wantErr: "ignored: ref-updated on refs/users/01/1: not a branch or tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestProvider(t, tc.opts)
			body := tc.body(t)
			payload := providertest.Payload{Body: body, Header: http.Header{}}
			ev, err := p.Parse(t.Context(), payload.Request(), body)
			checkOutcome(t, err, tc.wantErr, tc.wantStatus)
			if tc.check != nil && err == nil {
				tc.check(t, ev)
			}
		})
	}
}

func raw(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }

func wantAction(want event.Action) func(*testing.T, event.Event) {
	return func(t *testing.T, ev event.Event) {
		t.Helper()
		if ev.Kind != event.KindPullRequest || ev.Action != want {
			t.Errorf("Kind, Action = %s, %s; want pull_request, %s", ev.Kind, ev.Action, want)
		}
	}
}

func checkOutcome(t *testing.T, err error, wantErr string, wantStatus int) {
	t.Helper()
	got := ""
	if err != nil {
		got = err.Error()
	}
	switch {
	case wantStatus != 0 && providers.HTTPStatus(err) != wantStatus:
		t.Fatalf("status = %d (%v), want %d", providers.HTTPStatus(err), err, wantStatus)
	case wantStatus == 0 && got != wantErr:
		t.Fatalf("error = %q, want %q", got, wantErr)
	}
}

func TestDeliveryIsHashOfBody(t *testing.T) {
	p := newTestProvider(t, Options{})
	body := sample(t, "snix-3.12-patchset-created")
	payload := providertest.Payload{Body: body, Header: http.Header{}}
	first, _ := p.Parse(t.Context(), payload.Request(), body)
	again, _ := p.Parse(t.Context(), payload.Request(), body)
	other, _ := p.Parse(t.Context(), payload.Request(), append(body, '\n'))
	if len(first.Delivery) != 32 || first.Delivery != again.Delivery || first.Delivery == other.Delivery {
		t.Fatalf("deliveries %q, %q, %q: want 32 hex digits, equal for equal bodies only", first.Delivery, again.Delivery, other.Delivery)
	}
}

func TestMergeEventsOfOneCommitShareADelivery(t *testing.T) {
	p := newTestProvider(t, Options{})
	parse := func(body string) event.Event {
		t.Helper()
		payload := providertest.Payload{Body: []byte(body), Header: http.Header{}}
		ev, err := p.Parse(t.Context(), payload.Request(), []byte(body))
		if err != nil {
			t.Fatalf("Parse(%s): %v", body, err)
		}
		return ev
	}
	const rev = "41d29efb4196d5fd447190d3b8ec26d70b9f8eec"
	merged := parse(`{"type":"change-merged","newRev":"` + rev + `","eventCreatedOn":1,
		"change":{"project":"qt/qtbase","branch":"dev","number":7,"url":"https://g/7"},
		"patchSet":{"number":2,"revision":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","ref":"refs/changes/07/7/2"}}`)
	updated := parse(`{"type":"ref-updated","eventCreatedOn":2,
		"refUpdate":{"project":"qt/qtbase","refName":"refs/heads/dev","oldRev":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","newRev":"` + rev + `"}}`)
	other := parse(`{"type":"ref-updated","eventCreatedOn":3,
		"refUpdate":{"project":"qt/qtbase","refName":"refs/heads/6.8","oldRev":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","newRev":"` + rev + `"}}`)
	if merged.Kind != event.KindPush || merged.HeadSHA != rev || updated.HeadSHA != rev {
		t.Fatalf("merged %+v, updated %+v: want pushes of %s", merged, updated, rev)
	}
	if merged.Delivery != updated.Delivery {
		t.Errorf("change-merged delivery %s, ref-updated %s: one merge must start its postsubmits once", merged.Delivery, updated.Delivery)
	}
	if other.Delivery == updated.Delivery {
		t.Errorf("the same commit on another branch got the same delivery %s", other.Delivery)
	}
}

func TestStripPatchSet(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"vote only", "Patch Set 2: Code-Review+2", "Code-Review+2"},
		{"message only", "Patch Set 1:\n\nBuild Started https://ci/1", "Build Started https://ci/1"},
		{"votes and message", "Patch Set 12: Code-Review-2 Sanity-Review+1\n\n/retest", "Code-Review-2 Sanity-Review+1\n\n/retest"},
		{"comments only", "Patch Set 14:\n\n(1 comment)", "(1 comment)"},
		{"no prefix", "/test all", "/test all"},
		{"no number", "Patch Set : x", "Patch Set : x"},
		{"no colon", "Patch Set 3 was great", "Patch Set 3 was great"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := stripPatchSet(tc.in); got != tc.want {
				t.Errorf("stripPatchSet(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		user    string
		pass    string
		wantErr bool
	}{
		{name: "query token", target: "/hook/gerrit/main?token=topsecret"},
		{name: "basic auth password", target: "/hook/gerrit/main", user: "gerrit", pass: "topsecret"},
		{name: "basic auth any user name", target: "/hook/gerrit/main", user: "", pass: "topsecret"},
		{name: "wrong query token", target: "/hook/gerrit/main?token=topsecreT", wantErr: true},
		{name: "wrong basic auth password", target: "/hook/gerrit/main", user: "gerrit", pass: "nope", wantErr: true},
		{name: "wrong query token beats right password", target: "/hook/gerrit/main?token=nope", user: "gerrit", pass: "topsecret", wantErr: true},
		{name: "token prefix", target: "/hook/gerrit/main?token=topsecre", wantErr: true},
		{name: "empty query token", target: "/hook/gerrit/main?token=", wantErr: true},
		{name: "missing", target: "/hook/gerrit/main", wantErr: true},
	}
	p := newTestProvider(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader("{}"))
			if tc.user != "" || tc.pass != "" {
				r.SetBasicAuth(tc.user, tc.pass)
			}
			providertest.CheckVerified(t, p.Verify(t.Context(), r, []byte("{}")), tc.wantErr)
		})
	}
}

func TestVerifyWithoutSecretFailsClosed(t *testing.T) {
	p, err := New(Options{URL: testURL})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/hook/gerrit/main?token=", nil)
	r.SetBasicAuth("", "")
	if err := p.Verify(t.Context(), r, nil); providers.HTTPStatus(err) != http.StatusUnauthorized {
		t.Fatalf("Verify() = %v, want 401", err)
	}
}

func TestFactoryOptions(t *testing.T) {
	tests := []struct {
		name    string
		cfg     providers.Config
		want    Options
		wantErr string
	}{
		{
			name: "defaults",
			cfg:  providers.Config{URL: testURL},
			want: Options{URL: testURL, CloneURL: testURL, VoteLabel: "Verified", VoteSuccess: 1, VoteFailure: -1, TrustedGroups: []string{"Administrators"}},
		},
		{
			name: "all options",
			cfg: providers.Config{URL: testURL, Username: "ci", Token: "pw", Options: map[string]string{
				"voteLabel": "CI-Verified", "voteSuccess": "+2", "voteFailure": "0", "cloneURL": "ssh://gerrit:29418",
				"skipTrivialRebase": "true", "skipNoCodeChange": "true", "trustedGroups": " Release Managers , ci-trusted,,",
			}},
			want: Options{
				URL: testURL, CloneURL: "ssh://gerrit:29418", Username: "ci", Token: "pw", VoteLabel: "CI-Verified",
				VoteSuccess: 2, VoteFailure: 0, SkipTrivialRebase: true, SkipNoCodeChange: true,
				TrustedGroups: []string{"Release Managers", "ci-trusted"},
			},
		},
		{name: "bad vote", cfg: providers.Config{URL: testURL, Options: map[string]string{"voteSuccess": "one"}}, wantErr: "not a whole number"},
		{name: "bad bool", cfg: providers.Config{URL: testURL, Options: map[string]string{"skipTrivialRebase": "yes please"}}, wantErr: "not true or false"},
		{name: "no url", cfg: providers.Config{}, wantErr: "url is required"},
		{name: "token without username", cfg: providers.Config{URL: testURL, Token: "pw"}, wantErr: "token needs username"},
		{name: "cookie with value", cfg: providers.Config{URL: testURL, Options: map[string]string{"cookie": "GerritAccount=x"}}, wantErr: "value goes in token"},
		{name: "cookie without token", cfg: providers.Config{URL: testURL, Options: map[string]string{"cookie": "GerritAccount"}}, wantErr: "needs the cookie's value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Kind, tc.cfg.Name, tc.cfg.Secret = Kind, "main", testSecret
			in, err := providers.New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := in.(*Provider).opts
			tc.want.Secret, tc.want.Transport = testSecret, http.DefaultTransport
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b http.RoundTripper) bool { return a == b })); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
