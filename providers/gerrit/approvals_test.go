package gerrit

import (
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestVotes(t *testing.T) {
	const path = "/a/changes/platform%2Ftools~30623/detail"
	tests := []struct {
		name    string
		label   string
		reply   providertest.Reply
		want    map[string]int
		wantErr bool
	}{
		{name: "Code-Review", label: "Code-Review", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "changes-detail-votes.json")},
			want: map[string]int{"alice": 2, "bob": 1, "carol@example.com": 2}},
		{name: "another label", label: "Verified", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "changes-detail-votes.json")},
			want: map[string]int{"fresnel": 1}},
		{name: "a label the project lacks", label: "Approved", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "changes-detail-votes.json")},
			want: map[string]int{}},
		{name: "not found", label: "Code-Review", reply: providertest.Reply{Status: http.StatusNotFound, Body: "Not found: platform/tools~30623"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := apiProvider(t, api.URL).Votes(t.Context(), testChange, tc.label)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Votes error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); !tc.wantErr && diff != "" {
				t.Errorf("votes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	const sha = "4f1c2a9e4f1c2a9e4f1c2a9e4f1c2a9e4f1c2a9e"
	const path = "/a/projects/platform%2Ftools/commits/" + sha + "/files/api%2FOWNERS/content"
	owners := "approvers:\n- alice\n"
	tests := []struct {
		name         string
		reply        providertest.Reply
		want         string
		wantNotFound bool
		wantErr      bool
	}{
		{name: "base64 text", reply: providertest.Reply{Status: http.StatusOK, Body: base64.StdEncoding.EncodeToString([]byte(owners))}, want: owners},
		{name: "missing file", reply: providertest.Reply{Status: http.StatusNotFound, Body: "Not found: api/OWNERS"}, wantNotFound: true, wantErr: true},
		{name: "not base64", reply: providertest.Reply{Status: http.StatusOK, Body: "approvers: [alice]"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := apiProvider(t, api.URL).ReadFile(t.Context(), "platform/tools", "api/OWNERS", sha)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ReadFile error = %v, want error %v", err, tc.wantErr)
			}
			if errors.Is(err, providers.ErrNotFound) != tc.wantNotFound {
				t.Errorf("error %v: not found = %v, want %v", err, errors.Is(err, providers.ErrNotFound), tc.wantNotFound)
			}
			if string(got) != tc.want {
				t.Errorf("content %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadFileOnABranch(t *testing.T) {
	const path = "/a/projects/platform%2Ftools/branches/release%2F1.x/files/OWNERS/content"
	api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: {Status: http.StatusOK, Body: base64.StdEncoding.EncodeToString([]byte("approvers: [root]\n"))}})
	got, err := apiProvider(t, api.URL).ReadFile(t.Context(), "platform/tools", "OWNERS", "release/1.x")
	if err != nil || string(got) != "approvers: [root]\n" {
		t.Errorf("ReadFile on a branch = %q, %v", got, err)
	}
}
