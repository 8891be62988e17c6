package trust

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/triggers"
)

// memberSCM is an in-memory TrustChecker: members per org, collaborators
// per repo. It counts the calls it answers.
type memberSCM struct {
	mu            sync.Mutex
	members       map[string][]string
	collaborators map[string][]string
	err           error
	calls         []string
}

func (s *memberSCM) IsOrgMember(_ context.Context, org, user string) (bool, error) {
	return s.answer("member "+org, s.members[org], user)
}

func (s *memberSCM) IsCollaborator(_ context.Context, repo, user string) (bool, error) {
	return s.answer("collaborator "+repo, s.collaborators[repo], user)
}

func (s *memberSCM) answer(call string, users []string, user string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	if s.err != nil {
		return false, s.err
	}
	for _, u := range users {
		if u == user {
			return true, nil
		}
	}
	return false, nil
}

func newSCM() *memberSCM {
	return &memberSCM{
		members: map[string][]string{
			"acme": {"alice"}, "friends": {"frank"}, "group/sub": {"gina"},
		},
		collaborators: map[string][]string{"acme/widgets": {"carol"}, "group/sub/project": {"carl"}},
	}
}

func TestUser(t *testing.T) {
	tests := []struct {
		name        string
		settings    triggers.TriggerSettings
		repo, user  string
		want        bool
		wantReason  string
		wantCalls   int
		wantSCMErr  bool
		wantErrText string
	}{
		{name: "org member", repo: "acme/widgets", user: "alice", want: true, wantReason: "member of acme", wantCalls: 1},
		{name: "collaborator", repo: "acme/widgets", user: "carol", want: true, wantReason: "collaborator on acme/widgets", wantCalls: 2},
		{name: "collaborator, but only_org_members", settings: triggers.TriggerSettings{OnlyOrgMembers: true},
			repo: "acme/widgets", user: "carol", wantReason: "carol is not a member of acme", wantCalls: 1},
		{name: "stranger", repo: "acme/widgets", user: "mallory", wantReason: "not a member of acme nor a collaborator on acme/widgets", wantCalls: 2},
		{name: "member of trusted_org", settings: triggers.TriggerSettings{TrustedOrg: "friends"},
			repo: "acme/widgets", user: "frank", want: true, wantReason: "member of friends", wantCalls: 3},
		{name: "stranger with trusted_org", settings: triggers.TriggerSettings{TrustedOrg: "friends", OnlyOrgMembers: true},
			repo: "acme/widgets", user: "mallory", wantReason: "not a member of acme nor of friends", wantCalls: 2},
		{name: "trusted app with [bot]", settings: triggers.TriggerSettings{TrustedApps: []string{"dependabot"}},
			repo: "acme/widgets", user: "dependabot[bot]", want: true, wantReason: "trusted_apps", wantCalls: 0},
		{name: "trusted app listed with [bot], login without", settings: triggers.TriggerSettings{TrustedApps: []string{"renovate[bot]"}},
			repo: "acme/widgets", user: "renovate", want: true, wantReason: "trusted_apps", wantCalls: 0},
		{name: "app name is not a prefix match", settings: triggers.TriggerSettings{TrustedApps: []string{"dependabot"}},
			repo: "acme/widgets", user: "dependabotx[bot]", wantCalls: 2},
		{name: "fresnel itself", repo: "acme/widgets", user: "Fresnel-Bot", want: true, wantReason: "fresnel itself", wantCalls: 0},
		{name: "nested GitLab group", repo: "group/sub/project", user: "gina", want: true, wantReason: "member of group/sub", wantCalls: 1},
		{name: "nested group collaborator", repo: "group/sub/project", user: "carl", want: true, wantCalls: 2},
		{name: "no user", repo: "acme/widgets", user: "", wantReason: "names no user", wantCalls: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scm := newSCM()
			d := New(Options{})
			q := Query{Instance: "github/public", Repo: tc.repo, User: tc.user, Bot: "fresnel-bot"}
			dec, err := d.User(context.Background(), scm, tc.settings, q)
			if err != nil {
				t.Fatalf("User: %v", err)
			}
			if dec.Trusted != tc.want || !strings.Contains(dec.Reason, tc.wantReason) {
				t.Errorf("User = %+v, want trusted %v with a reason containing %q", dec, tc.want, tc.wantReason)
			}
			if dec.Calls != tc.wantCalls || len(scm.calls) != tc.wantCalls {
				t.Errorf("decision counted %d calls, the SCM saw %v; want %d", dec.Calls, scm.calls, tc.wantCalls)
			}
		})
	}
}

func TestUserSCMErrorIsNeverTrust(t *testing.T) {
	scm := newSCM()
	scm.err = errors.New("503 Service Unavailable")
	d := New(Options{})
	q := Query{Instance: "github/public", Repo: "acme/widgets", User: "alice"}
	dec, err := d.User(context.Background(), scm, triggers.TriggerSettings{}, q)
	if err == nil || dec.Trusted {
		t.Fatalf("User with a failing SCM = %+v, %v; want an error and no trust", dec, err)
	}
	if !strings.Contains(err.Error(), "503") || !strings.HasPrefix(err.Error(), "trust: ") {
		t.Errorf("error %q does not wrap the SCM's with the component prefix", err)
	}
	if d.Cached() != 0 {
		t.Errorf("an SCM error was cached (%d answers kept)", d.Cached())
	}
	scm.err = nil
	if dec, err := d.User(context.Background(), scm, triggers.TriggerSettings{}, q); err != nil || !dec.Trusted {
		t.Errorf("after the SCM recovered: %+v, %v; want trusted", dec, err)
	}
}

func TestCache(t *testing.T) {
	scm := newSCM()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := New(Options{TTL: time.Minute, CacheSize: 2, Now: func() time.Time { return now }})
	ask := func(instance, user string) Decision {
		t.Helper()
		dec, err := d.User(context.Background(), scm, triggers.TriggerSettings{}, Query{Instance: instance, Repo: "acme/widgets", User: user})
		if err != nil {
			t.Fatal(err)
		}
		return dec
	}
	if dec := ask("github/public", "mallory"); dec.Calls != 2 || dec.Trusted {
		t.Fatalf("first decision = %+v, want 2 calls, untrusted", dec)
	}
	if dec := ask("github/public", "mallory"); dec.Calls != 0 || dec.Trusted {
		t.Errorf("cached decision = %+v, want 0 calls, untrusted", dec)
	}
	if dec := ask("github/enterprise", "mallory"); dec.Calls != 2 {
		t.Errorf("another instance's answer was reused: %+v", dec)
	}
	now = now.Add(time.Minute)
	if dec := ask("github/public", "mallory"); dec.Calls != 2 {
		t.Errorf("an expired answer was reused: %+v", dec)
	}
	if d.Cached() > 2 {
		t.Errorf("cache keeps %d answers, bounded at 2", d.Cached())
	}
}

func TestPullRequest(t *testing.T) {
	labels := func(names ...string) Labels {
		return func() ([]string, bool, error) { return names, true, nil }
	}
	tests := []struct {
		name      string
		settings  triggers.TriggerSettings
		user      string
		labels    Labels
		want      bool
		wantCalls int
	}{
		{name: "trusted author", user: "alice", labels: labels(), want: true, wantCalls: 1},
		{name: "untrusted author", user: "mallory", labels: labels("bug"), wantCalls: 3},
		{name: "ok-to-test label", user: "mallory", labels: labels(OkToTest), want: true, wantCalls: 3},
		{name: "ok-to-test label from the payload", user: "mallory",
			labels: func() ([]string, bool, error) { return []string{OkToTest}, false, nil }, want: true, wantCalls: 2},
		{name: "ok-to-test label ignored", settings: triggers.TriggerSettings{IgnoreOkToTest: true}, user: "mallory",
			labels: labels(OkToTest), wantCalls: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(Options{})
			q := Query{Instance: "github/public", Repo: "acme/widgets", User: tc.user}
			dec, err := d.PullRequest(context.Background(), newSCM(), tc.settings, q, tc.labels)
			if err != nil {
				t.Fatal(err)
			}
			if dec.Trusted != tc.want || dec.Calls != tc.wantCalls {
				t.Errorf("PullRequest = %+v, want trusted %v after %d calls", dec, tc.want, tc.wantCalls)
			}
		})
	}
	d := New(Options{})
	failing := func() ([]string, bool, error) { return nil, true, errors.New("labels: 500") }
	q := Query{Instance: "github/public", Repo: "acme/widgets", User: "mallory"}
	if dec, err := d.PullRequest(context.Background(), newSCM(), triggers.TriggerSettings{}, q, failing); err == nil || dec.Trusted {
		t.Errorf("PullRequest with failing labels = %+v, %v; want an error and no trust", dec, err)
	}
}
