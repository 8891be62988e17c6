package harness

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// fileReader is what the approve plugin reads OWNERS files with.
type fileReader interface {
	ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error)
}

// TestOwnersFiles reads files from each stand-in through fresnel's own
// provider: a served file comes back whole, another path or ref is
// fresnel's not-found.
func TestOwnersFiles(t *testing.T) {
	files := map[string]string{"OWNERS": "approvers:\n- root\n", "api/OWNERS": "approvers:\n- \"557058:bob\"\n"}
	gitlab, cloud, gerrit := NewFakeGitLab(), NewFakeBitbucketCloud(), NewFakeGerrit()
	defer gitlab.Close()
	defer cloud.Close()
	defer gerrit.Close()
	gitlab.GitLabFiles("platform/team/tools", "main", files)
	cloud.BitbucketCloudSource("acme/widgets", "ce5965ddd289", files)
	gerrit.GerritFiles("acme/widgets", "main", files)
	tests := []struct {
		name      string
		cfg       providers.Config
		repo, ref string
	}{
		{name: "gitlab", repo: "platform/team/tools", ref: "main",
			cfg: providers.Config{Kind: "gitlab", Name: "main", URL: gitlab.URL, Secret: testSecret, Token: "glpat"}},
		{name: "bitbucketcloud", repo: "acme/widgets", ref: "ce5965ddd289",
			cfg: providers.Config{Kind: "bitbucketcloud", Name: "cloud", URL: cloud.URL, Secret: testSecret, Token: "bb"}},
		{name: "gerrit", repo: "acme/widgets", ref: "main",
			cfg: providers.Config{Kind: "gerrit", Name: "review", URL: gerrit.URL, Secret: testSecret, Username: "fresnel-ci", Token: "pw"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := providers.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := in.(fileReader)
			if !ok {
				t.Fatalf("%s reads no files", tc.name)
			}
			for path, want := range files {
				got, err := r.ReadFile(t.Context(), tc.repo, path, tc.ref)
				if err != nil || string(got) != want {
					t.Errorf("ReadFile(%s) = %q, %v; want %q", path, got, err, want)
				}
			}
			for _, miss := range [][2]string{{"web/OWNERS", tc.ref}, {"OWNERS", "other"}} {
				if _, err := r.ReadFile(t.Context(), tc.repo, miss[0], miss[1]); !errors.Is(err, providers.ErrNotFound) {
					t.Errorf("ReadFile(%s at %s): error %v, want not found", miss[0], miss[1], err)
				}
			}
		})
	}
}

// TestGerritChangeVotes reads the stand-in's votes through fresnel's
// Gerrit provider: a vote set is read back, a vote withdrawn (0) is not.
func TestGerritChangeVotes(t *testing.T) {
	g := NewFakeGerrit()
	defer g.Close()
	votes := g.GerritChangeVotes("acme/widgets", 21)
	votes.Vote("Code-Review", "bob", 2)
	votes.Vote("Code-Review", "carol", 1)
	votes.Vote("Code-Review", "dave", 0)
	votes.Vote("Verified", "fresnel-ci", -1)
	in, err := providers.New(providers.Config{Kind: "gerrit", Name: "review", URL: g.URL, Secret: testSecret, Username: "fresnel-ci", Token: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := in.(providers.VoteReader)
	if !ok {
		t.Fatal("the gerrit provider reads no votes")
	}
	got, err := r.Votes(t.Context(), event.Target{Repo: "acme/widgets", Number: 21}, "Code-Review")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"bob": 2, "carol": 1}, got); diff != "" {
		t.Errorf("votes (-want +got):\n%s", diff)
	}
	if _, err := r.Votes(t.Context(), event.Target{Repo: "acme/widgets", Number: 22}, "Code-Review"); err == nil {
		t.Error("votes of a change the stand-in does not have: no error")
	}
}
