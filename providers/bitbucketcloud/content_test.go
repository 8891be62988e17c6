package bitbucketcloud

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestListDir(t *testing.T) {
	const (
		sha  = "141977fedf5c"
		path = "/2.0/repositories/o/r/src/" + sha + "/.lighthouse/"
	)
	replies := map[string]providertest.Reply{}
	api := providertest.NewAPI(t, replies)
	replies["GET "+path+"?page=1&pagelen=100"] = providertest.Reply{Status: http.StatusOK, Body: `{"values":[
		{"type":"commit_directory","path":".lighthouse/jenkins-x"},
		{"type":"commit_file","path":".lighthouse/README.md","size":12}],
		"page":1,"pagelen":100,"next":"` + api.URL + path + `?page=2&pagelen=100"}`}
	replies["GET "+path+"?page=2&pagelen=100"] = providertest.Reply{Status: http.StatusOK, Body: `{"values":[
		{"type":"commit_directory","path":".lighthouse/docs"}],"page":2,"pagelen":100}`}
	replies["GET /2.0/repositories/o/r/src/"+sha+"/.lighthouse/jenkins-x/triggers.yaml"] = providertest.Reply{Status: http.StatusOK, Body: "kind: TriggerConfig\n"}
	replies["GET /2.0/repositories/o/r/src/"+sha+"/.prow/?page=1&pagelen=100"] = providertest.Reply{Status: http.StatusNotFound,
		Body: `{"type":"error","error":{"message":"No such file or directory: .prow"}}`}

	p := newTestProvider(t, api.URL)
	names, err := p.ListDir(t.Context(), "o/r", ".lighthouse", sha)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"jenkins-x/", "README.md", "docs/"}, names); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	data, err := p.ReadFile(t.Context(), "o/r", ".lighthouse/jenkins-x/triggers.yaml", sha)
	if err != nil || string(data) != "kind: TriggerConfig\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if _, err := p.ListDir(t.Context(), "o/r", ".prow", sha); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("a missing directory: err = %v, want ErrNotFound", err)
	}
}
