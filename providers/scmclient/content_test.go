package scmclient_test

import (
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jenkins-x/go-scm/scm"
	scmgithub "github.com/jenkins-x/go-scm/scm/driver/github"
	scmgitlab "github.com/jenkins-x/go-scm/scm/driver/gitlab"
	scmstash "github.com/jenkins-x/go-scm/scm/driver/stash"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

const (
	repo = "acme/widgets"
	sha  = "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c"
)

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func githubClient(t *testing.T, url string) *scmclient.Client {
	t.Helper()
	c, err := scmgithub.New(url)
	if err != nil {
		t.Fatal(err)
	}
	scmclient.Authorize(c, "", "ghp_test", nil)
	return &scmclient.Client{SCM: c, Component: "provider/github"}
}

// GitHub wraps base64 content at 60 columns; the driver must undo that.
func TestGitHubReadFile(t *testing.T) {
	path := "/repos/acme/widgets/contents/.lighthouse/jenkins-x/triggers.yaml"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?ref=" + sha: {Status: http.StatusOK, Body: testdata(t, "github/contents-file.json")},
	})
	got, err := githubClient(t, api.URL).ReadFile(t.Context(), repo, ".lighthouse/jenkins-x/triggers.yaml", sha)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(testdata(t, "github/contents-file.txt"), string(got)); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	if req := api.Only(t, http.MethodGet, path+"?ref="+sha); req.Auth != "Bearer ghp_test" {
		t.Errorf("Authorization = %q", req.Auth)
	}
}

func TestGitHubListDir(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /repos/acme/widgets/contents/.lighthouse?ref=" + sha: {Status: http.StatusOK, Body: testdata(t, "github/contents-dir.json")},
	})
	got, err := githubClient(t, api.URL).ListDir(t.Context(), repo, ".lighthouse", sha)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"jenkins-x/", "nightly/", "README.md"}, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestGitHubNotFound(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /repos/acme/widgets/contents/.prow.yaml": {Status: http.StatusNotFound, Body: testdata(t, "github/contents-404.json")},
		"GET /repos/acme/widgets/contents/.prow":      {Status: http.StatusNotFound, Body: testdata(t, "github/contents-404.json")},
		"GET /repos/acme/widgets/contents/broken":     {Status: http.StatusInternalServerError, Body: `{"message":"Server Error"}`},
	})
	c := githubClient(t, api.URL)
	if _, err := c.ReadFile(t.Context(), repo, ".prow.yaml", sha); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("ReadFile of a missing file: error %v, want ErrNotFound", err)
	}
	if _, err := c.ListDir(t.Context(), repo, ".prow", sha); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("ListDir of a missing directory: error %v, want ErrNotFound", err)
	}
	_, err := c.ReadFile(t.Context(), repo, "broken", sha)
	if err == nil || errors.Is(err, providers.ErrNotFound) {
		t.Errorf("ReadFile answered 500: error %v, want an error that is not ErrNotFound", err)
	}
}

// GitLab pages its tree listing, but go-scm's driver ignores the page it
// is asked for: a listing longer than one page is an error, never a
// silently short list.
func TestGitLabListDirBeyondOnePage(t *testing.T) {
	tree := "/api/v4/projects/acme%2Fwidgets/repository/tree"
	page := `[{"id":"a1","name":"jenkins-x","type":"tree","path":".lighthouse/jenkins-x","mode":"040000"},
	          {"id":"b2","name":"README.md","type":"blob","path":".lighthouse/README.md","mode":"100644"}]`
	tests := []struct {
		name    string
		header  http.Header
		want    []string
		wantErr bool
	}{
		{name: "one page", want: []string{"jenkins-x/", "README.md"}},
		{name: "more pages", header: http.Header{"Link": {`<https://gitlab.example.com` + tree + `?page=2>; rel="next"`}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + tree: {Status: http.StatusOK, Header: tc.header, Body: page}})
			c, err := scmgitlab.New(api.URL)
			if err != nil {
				t.Fatal(err)
			}
			got, err := (&scmclient.Client{SCM: c, Component: "provider/gitlab"}).ListDir(t.Context(), repo, ".lighthouse", sha)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ListDir() = %v, %v; want error %v", got, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEntryNames(t *testing.T) {
	tests := []struct {
		name  string
		dir   string
		entry scm.FileEntry
		want  string
	}{
		{name: "github file", dir: ".prow", entry: scm.FileEntry{Name: "a.yaml", Path: ".prow/a.yaml", Type: "file"}, want: "a.yaml"},
		{name: "github dir", dir: ".prow", entry: scm.FileEntry{Name: "sub", Path: ".prow/sub", Type: "dir"}, want: "sub/"},
		{name: "gitlab tree", dir: ".prow", entry: scm.FileEntry{Name: "sub", Path: ".prow/sub", Type: "tree"}, want: "sub/"},
		{name: "bitbucket dc file below dir", dir: ".prow", entry: scm.FileEntry{Path: "sub/b.yaml"}, want: "sub/"},
		{name: "bitbucket dc file in dir", dir: ".prow", entry: scm.FileEntry{Path: "a.yaml"}, want: "a.yaml"},
		{name: "path from the root", dir: ".prow/", entry: scm.FileEntry{Path: "/.prow/a.yaml"}, want: "a.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := scmclient.EntryName(tc.dir, &tc.entry); got != tc.want {
				t.Errorf("EntryName(%q, %+v) = %q, want %q", tc.dir, tc.entry, got, tc.want)
			}
		})
	}
}

// Bitbucket Data Center lists every file below a directory, by path from
// it, a page at a time; ListDir turns that into the directory's entries.
func TestBitbucketServerContents(t *testing.T) {
	base := "/rest/api/1.0/projects/ACME/repos/widgets"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + base + "/files/.lighthouse?at=" + sha + "&limit=100": {Status: http.StatusOK,
			Body: `{"size":2,"limit":100,"isLastPage":false,"values":["jenkins-x/triggers.yaml","jenkins-x/pullrequest.yaml"],"start":0,"nextPageStart":100}`},
		"GET " + base + "/files/.lighthouse?at=" + sha + "&limit=100&start=100": {Status: http.StatusOK,
			Body: `{"size":2,"limit":100,"isLastPage":true,"values":["nightly/triggers.yaml","triggers.yaml"],"start":100}`},
		"GET " + base + "/raw/.lighthouse/triggers.yaml": {Status: http.StatusOK, Body: "kind: TriggerConfig\n"},
		"GET " + base + "/raw/.prow.yaml": {Status: http.StatusNotFound,
			Body: `{"errors":[{"context":null,"message":"The path \".prow.yaml\" does not exist at revision \"` + sha + `\"","exceptionName":"com.atlassian.bitbucket.content.NoSuchPathException"}]}`},
	})
	c, err := scmstash.New(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	client := &scmclient.Client{SCM: c, Component: "provider/bitbucketserver"}
	names, err := client.ListDir(t.Context(), "ACME/widgets", ".lighthouse", sha)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"jenkins-x/", "nightly/", "triggers.yaml"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	data, err := client.ReadFile(t.Context(), "ACME/widgets", ".lighthouse/triggers.yaml", sha)
	if err != nil || string(data) != "kind: TriggerConfig\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if _, err := client.ReadFile(t.Context(), "ACME/widgets", ".prow.yaml", sha); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("ReadFile of a missing file: %v, want ErrNotFound", err)
	}
}
