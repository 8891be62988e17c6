package github

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestParseReview(t *testing.T) {
	recordedReview, err := os.ReadFile(filepath.Join(providertest.RepoRoot(), "test", "testdata", "webhooks", "github", "octokit-pull-request-review-submitted.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		change    func(m map[string]any)
		wantState string
		wantErr   error
	}{
		{name: "approved", change: func(m map[string]any) { m["review"].(map[string]any)["state"] = "approved" }, wantState: event.ReviewApproved},
		{name: "changes requested", change: func(m map[string]any) { m["review"].(map[string]any)["state"] = "changes_requested" }, wantState: event.ReviewChangesRequested},
		{name: "edited is ignored", change: func(m map[string]any) { m["action"] = "edited" }, wantErr: providers.Ignored{}},
		{name: "no pull request", change: func(m map[string]any) { delete(m, "pull_request") }, wantErr: providers.ErrBadPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(recordedReview, &m); err != nil {
				t.Fatal(err)
			}
			tc.change(m)
			body, _ := json.Marshal(m)
			ev, err := parseReview(body)
			var ignored providers.Ignored
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("parseReview: %v", err)
			case errors.As(tc.wantErr, &ignored) && !errors.As(err, &ignored):
				t.Fatalf("error = %v, want ignored", err)
			case errors.Is(tc.wantErr, providers.ErrBadPayload) && !errors.Is(err, providers.ErrBadPayload):
				t.Fatalf("error = %v, want bad payload", err)
			case tc.wantErr == nil && (ev.Kind != event.KindReview || ev.Review != tc.wantState || ev.Comment.Author != "Codertocat" || ev.Number != 2):
				t.Errorf("event = %+v, want a %s review of #2 by Codertocat", ev, tc.wantState)
			}
		})
	}
}
