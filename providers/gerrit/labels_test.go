package gerrit

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const hashtagsPath = "/a/changes/platform%2Ftools~30623/hashtags"

var testChange = event.Target{Repo: "platform/tools", Number: 30623}

func TestLabelsAreHashtags(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + hashtagsPath: {Status: http.StatusOK, Body: recorded(t, "changes-hashtags.json")}})
	got, err := apiProvider(t, api.URL).Labels(t.Context(), testChange)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lgtm", "do-not-merge/hold"}, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}

func TestChangeHashtag(t *testing.T) {
	tests := []struct {
		name    string
		remove  bool
		want    map[string]any
		reply   providertest.Reply
		wantErr bool
	}{
		{name: "add", want: map[string]any{"add": []any{"kind/bug"}}, reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "changes-hashtags-added.json")}},
		{name: "remove", remove: true, want: map[string]any{"remove": []any{"kind/bug"}}, reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "changes-hashtags.json")}},
		{name: "refused", want: map[string]any{"add": []any{"kind/bug"}}, reply: providertest.Reply{Status: http.StatusForbidden, Body: "edit hashtags not permitted"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + hashtagsPath: tc.reply})
			p := apiProvider(t, api.URL)
			var err error
			if tc.remove {
				err = p.RemoveLabel(t.Context(), testChange, "kind/bug")
			} else {
				err = p.AddLabel(t.Context(), testChange, "kind/bug")
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, api.Only(t, http.MethodPost, hashtagsPath).JSON(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}
