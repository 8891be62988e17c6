package harness

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// GitHubCheckRun is a check run as the GitHub stand-in holds it: what
// fresnel created and last updated.
type GitHubCheckRun struct {
	ID         int64  `json:"id"`
	Repo       string `json:"-"`
	Name       string `json:"name"`
	HeadSHA    string `json:"head_sha"`
	ExternalID string `json:"external_id"`
	DetailsURL string `json:"details_url"`
	Status     string `json:"status"`
	Conclusion string `json:"conclusion"`
	Output     struct {
		Title   string `json:"title"`
		Summary string `json:"summary"`
	} `json:"output"`
	// Updates counts the PATCH calls that changed it.
	Updates int `json:"-"`
	// Created is when the stand-in made it (GitHub's started_at).
	Created time.Time `json:"-"`
}

// checkRunStore keeps a GitHub stand-in's check runs.
type checkRunStore struct {
	mu   sync.Mutex
	next int64
	runs []*GitHubCheckRun
}

// gitHubChecks adds POST /repos/{owner}/{repo}/check-runs and PATCH
// .../check-runs/{id} to a GitHub stand-in, answered in GitHub's shape.
func gitHubChecks(f *FakeSCM) {
	f.checks = &checkRunStore{next: 24681357900}
	f.Handle("POST /repos/{owner}/{repo}/check-runs", func(w http.ResponseWriter, r *http.Request) {
		var in GitHubCheckRun
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &in) != nil || in.Name == "" || in.HeadSHA == "" {
			reply(w, http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request.\n\n\"name\", \"head_sha\" weren't supplied."})
			return
		}
		in.Repo = ghRepo(r)
		reply(w, http.StatusCreated, checkRunJSON(f.checks.create(in)))
	})
	f.Handle("PATCH /repos/{owner}/{repo}/check-runs/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		body, _ := io.ReadAll(r.Body)
		run, ok := f.checks.update(ghRepo(r), id, body)
		if !ok {
			reply(w, http.StatusNotFound, map[string]string{"message": "Not Found", "status": "404"})
			return
		}
		reply(w, http.StatusOK, checkRunJSON(run))
	})
	f.Handle("GET /repos/{owner}/{repo}/commits/{sha}/check-runs", func(w http.ResponseWriter, r *http.Request) {
		list := []map[string]any{}
		for _, run := range f.checks.named(ghRepo(r), r.PathValue("sha"), r.URL.Query().Get("check_name")) {
			list = append(list, checkRunJSON(run))
		}
		reply(w, http.StatusOK, map[string]any{"total_count": len(list), "check_runs": list})
	})
}

// named lists repo's check runs on sha, newest first, those named name
// only when name is not empty.
func (s *checkRunStore) named(repo, sha, name string) []GitHubCheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []GitHubCheckRun
	for _, run := range slices.Backward(s.runs) {
		if run.Repo == repo && run.HeadSHA == sha && (name == "" || run.Name == name) {
			out = append(out, *run)
		}
	}
	return out
}

func (s *checkRunStore) create(in GitHubCheckRun) GitHubCheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	in.ID, in.Created = s.next, time.Now().UTC()
	if in.Conclusion != "" {
		in.Status = "completed"
	}
	s.runs = append(s.runs, &in)
	return in
}

// update applies a PATCH body to check run id of repo: only the fields it
// names change, as on GitHub.
func (s *checkRunStore) update(repo string, id int64, body []byte) (GitHubCheckRun, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, run := range s.runs {
		if run.ID == id && run.Repo == repo {
			if json.Unmarshal(body, run) != nil {
				return GitHubCheckRun{}, false
			}
			run.Updates++
			return *run, true
		}
	}
	return GitHubCheckRun{}, false
}

func checkRunJSON(run GitHubCheckRun) map[string]any {
	owner, _, _ := strings.Cut(run.Repo, "/")
	var conclusion any
	if run.Conclusion != "" {
		conclusion = run.Conclusion
	}
	id := strconv.FormatInt(run.ID, 10)
	return map[string]any{
		"id": run.ID, "node_id": "CR_kwDO" + id, "name": run.Name, "head_sha": run.HeadSHA,
		"external_id": run.ExternalID, "details_url": run.DetailsURL,
		"url":      "https://api.github.com/repos/" + run.Repo + "/check-runs/" + id,
		"html_url": "https://github.com/" + run.Repo + "/runs/" + id,
		"status":   run.Status, "conclusion": conclusion,
		"started_at": run.Created.Format(time.RFC3339), "completed_at": nil,
		"output":        map[string]any{"title": run.Output.Title, "summary": run.Output.Summary, "text": nil, "annotations_count": 0},
		"check_suite":   map[string]any{"id": 23456789012},
		"app":           map[string]any{"id": 424242, "slug": "fresnel-ci", "owner": map[string]any{"login": owner}},
		"pull_requests": []any{},
	}
}

// GitHubCheckRuns returns the check runs fresnel made, in the order it
// created them, as last updated.
func (f *FakeSCM) GitHubCheckRuns() []GitHubCheckRun {
	f.checks.mu.Lock()
	defer f.checks.mu.Unlock()
	out := make([]GitHubCheckRun, 0, len(f.checks.runs))
	for _, run := range f.checks.runs {
		out = append(out, *run)
	}
	return out
}

// GitHubAppToken is the installation token the stand-in mints for
// installation id: fresnel's calls on that installation carry it.
func GitHubAppToken(id int64) string { return "ghs_e2e" + strconv.FormatInt(id, 10) }

// GitHubApp makes the stand-in answer as GitHub does to a GitHub App:
// GET /app/installations lists installations (account login to id) and
// POST /app/installations/{id}/access_tokens mints GitHubAppToken(id),
// valid for an hour; both only for a JWT of app signed with key, else
// 401.
func (f *FakeSCM) GitHubApp(app int64, key *rsa.PublicKey, installations map[string]int64) {
	authorized := func(w http.ResponseWriter, r *http.Request) bool {
		if err := checkAppJWT(r.Header.Get("Authorization"), app, key); err != nil {
			reply(w, http.StatusUnauthorized, map[string]string{"message": "A JSON web token could not be decoded: " + err.Error(), "status": "401"})
			return false
		}
		return true
	}
	f.Handle("GET /app/installations", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		list := []map[string]any{}
		for login, id := range installations {
			list = append(list, map[string]any{"id": id, "app_id": app, "account": map[string]any{"login": login, "type": "Organization"},
				"repository_selection": "all", "target_type": "Organization"})
		}
		reply(w, http.StatusOK, list)
	})
	f.Handle("POST /app/installations/{id}/access_tokens", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if !authorized(w, r) {
			return
		}
		reply(w, http.StatusCreated, map[string]any{"token": GitHubAppToken(id),
			"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "repository_selection": "all"})
	})
}

// checkAppJWT verifies a "Bearer <JWT>" header as GitHub does: RS256 by
// the App's key, issued by the App, at most ten minutes long.
func checkAppJWT(header string, app int64, key *rsa.PublicKey) error {
	raw, _ := strings.CutPrefix(header, "Bearer ")
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(strconv.FormatInt(app, 10)), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return err
	}
	if claims.ExpiresAt.Sub(claims.IssuedAt.Time) > 10*time.Minute {
		return jwt.ErrTokenInvalidClaims
	}
	return nil
}
