package settings

import (
	"strings"
	"testing"
)

func TestInRepoConfigEnabled(t *testing.T) {
	tests := []struct {
		name  string
		repos []string
		repo  string
		want  bool
	}{
		{name: "none configured", repo: "acme/widgets", want: false},
		{name: "full name", repos: []string{"acme/widgets"}, repo: "acme/widgets", want: true},
		{name: "other full name", repos: []string{"acme/gadgets"}, repo: "acme/widgets", want: false},
		{name: "org glob", repos: []string{"acme/*"}, repo: "acme/widgets", want: true},
		{name: "org glob, other org", repos: []string{"acme/*"}, repo: "other/widgets", want: false},
		{name: "org glob stops at a slash", repos: []string{"group/*"}, repo: "group/sub/widgets", want: false},
		{name: "nested glob", repos: []string{"group/*/*"}, repo: "group/sub/widgets", want: true},
		{name: "star is every repository", repos: []string{"*"}, repo: "group/sub/widgets", want: true},
		{name: "any of several", repos: []string{"x/y", "acme/w*"}, repo: "acme/widgets", want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (InRepoConfig{Repos: tc.repos}).Enabled(tc.repo); got != tc.want {
				t.Errorf("Enabled(%q) with %q = %v, want %v", tc.repo, tc.repos, got, tc.want)
			}
		})
	}
}

func TestLoadInRepoConfig(t *testing.T) {
	clearEnv(t)
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{name: "valid", yaml: "inRepoConfig:\n  repos: [\"acme/*\", \"other/repo\"]\n  cacheSize: 50\n"},
		{name: "bad glob", yaml: "inRepoConfig:\n  repos: [\"acme/[\"]\n", wantErr: `inRepoConfig.repos[0]: "acme/[" is not a repository name or glob`},
		{name: "empty name", yaml: "inRepoConfig:\n  repos: [\"\"]\n", wantErr: `inRepoConfig.repos[0]`},
		{name: "negative cache", yaml: "inRepoConfig:\n  cacheSize: -1\n", wantErr: `inRepoConfig.cacheSize`},
		{name: "unknown field", yaml: "inRepoConfig:\n  repo: [\"acme/*\"]\n", wantErr: `unknown field "repo"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", minimal+tc.yaml))
			if tc.wantErr == "" {
				if err != nil || !s.InRepoConfig.Enabled("acme/widgets") || s.InRepoConfig.CacheSize != 50 {
					t.Fatalf("Load: %v, in-repo config %+v", err, s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}
