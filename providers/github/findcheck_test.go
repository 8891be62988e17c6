package github

import (
	"net/http"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestFindCheck(t *testing.T) {
	const list = "GET /repos/octo-org/hello/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e/check-runs?check_name=ci%2Funit&filter=all&per_page=100"
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		job   string
		since time.Time
		want  string
	}{
		{name: "the run's check, begun after the run was made", job: "unit", since: at("2026-12-07T13:00:29Z"), want: "24681357902"},
		{name: "the same second counts", job: "unit", since: at("2026-12-07T13:00:30.700Z"), want: "24681357902"},
		{name: "an earlier run's check is not the run's", job: "unit", since: at("2026-12-07T13:00:31Z"), want: ""},
		{name: "another job's", job: "lint", since: at("2026-12-07T12:00:00Z"), want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestAppProvider(t, map[string]providertest.Reply{list: {Status: http.StatusOK, Body: recorded(t, "commit-check-runs.json")}})
			got, err := p.FindCheck(t.Context(), checkRef, "ci/unit", tc.job, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("FindCheck = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFindCheckRefused(t *testing.T) {
	const list = "GET /repos/octo-org/hello/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e/check-runs?check_name=ci%2Funit&filter=all&per_page=100"
	p, _ := newTestAppProvider(t, map[string]providertest.Reply{list: {Status: http.StatusForbidden, Body: `{"message":"Resource not accessible by integration"}`}})
	if _, err := p.FindCheck(t.Context(), checkRef, "ci/unit", "unit", time.Time{}); err == nil {
		t.Fatal("FindCheck succeeded on a 403")
	}
}
