package harness

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// GitHubHook stands in for one repository webhook of GitHub: it sends
// deliveries to fresnel and keeps their log as GitHub's hook deliveries API
// shows it (GET /repos/{repo}/hooks/{id}/deliveries, newest first), lists
// itself under GET /repos/{repo}/hooks, and sends a delivery again on POST
// .../deliveries/{id}/attempts, a moment later, as GitHub does.
type GitHubHook struct {
	Repo   string
	ID     int64
	URL    string
	secret []byte

	mu      sync.Mutex
	nextID  int64
	entries []hookDelivery
	wg      sync.WaitGroup
}

// hookDelivery is one attempt in the log, with what it sent.
type hookDelivery struct {
	ID           int64     `json:"id"`
	GUID         string    `json:"guid"`
	DeliveredAt  time.Time `json:"delivered_at"`
	Redelivery   bool      `json:"redelivery"`
	Duration     float64   `json:"duration"`
	Status       string    `json:"status"`
	StatusCode   int       `json:"status_code"`
	Event        string    `json:"event"`
	Action       *string   `json:"action"`
	Installation *int64    `json:"installation_id"`
	RepositoryID int64     `json:"repository_id"`
	ThrottledAt  *string   `json:"throttled_at"`
	body         []byte
}

// GitHubHook registers a repository webhook of repo with id that delivers
// to url, signed with secret.
func (f *FakeSCM) GitHubHook(repo string, id int64, url string, secret []byte) *GitHubHook {
	h := &GitHubHook{Repo: repo, ID: id, URL: url, secret: secret, nextID: id * 1000}
	base := "/repos/" + repo + "/hooks"
	f.Handle("GET "+base, func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, []map[string]any{{
			"type": "Repository", "id": id, "name": "web", "active": true, "events": []string{"pull_request", "push", "issue_comment"},
			"config": map[string]any{"content_type": "json", "insecure_ssl": "0", "url": url},
			"url":    "https://api.github.com" + base + "/" + strconv.FormatInt(id, 10),
		}})
	})
	hookPath := base + "/" + strconv.FormatInt(id, 10) + "/deliveries"
	f.Handle("GET "+hookPath, func(w http.ResponseWriter, _ *http.Request) { reply(w, http.StatusOK, h.log()) })
	f.Handle("POST "+hookPath+"/{delivery}/attempts", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
		d, ok := h.find(id)
		if !ok {
			reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			time.Sleep(100 * time.Millisecond)
			_, _ = h.send(d.Event, d.GUID, d.body, true)
		}()
		reply(w, http.StatusAccepted, map[string]any{})
	})
	return h
}

// Deliver sends a delivery of event with guid to the hook's URL, logs it
// and returns the status fresnel answered (0 if it could not be reached).
func (h *GitHubHook) Deliver(event, guid string, body []byte) (int, error) {
	return h.send(event, guid, body, false)
}

func (h *GitHubHook) send(event, guid string, body []byte, redelivery bool) (int, error) {
	req, err := http.NewRequest(http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = GitHubHeader(event, guid, h.secret, body)
	start := time.Now()
	code := 0
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		code = resp.StatusCode
		resp.Body.Close()
	}
	h.record(event, guid, body, redelivery, code, start)
	return code, err
}

func (h *GitHubHook) record(event, guid string, body []byte, redelivery bool, code int, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	status := "OK"
	if code < 200 || code > 299 {
		status = "Invalid HTTP Response: " + strconv.Itoa(code)
	}
	h.entries = append(h.entries, hookDelivery{
		ID: h.nextID, GUID: guid, DeliveredAt: at.UTC().Truncate(time.Second), Redelivery: redelivery,
		Duration: time.Since(at).Seconds(), Status: status, StatusCode: code, Event: event, RepositoryID: 1, body: body,
	})
}

// log is the deliveries newest first, as GitHub lists them.
func (h *GitHubHook) log() []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]hookDelivery, 0, len(h.entries))
	for i := len(h.entries) - 1; i >= 0; i-- {
		out = append(out, h.entries[i])
	}
	return out
}

func (h *GitHubHook) find(id int64) (hookDelivery, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, d := range h.entries {
		if d.ID == id {
			return d, true
		}
	}
	return hookDelivery{}, false
}

// Redeliveries returns the guids sent again on request, in order.
func (h *GitHubHook) Redeliveries() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, d := range h.entries {
		if d.Redelivery {
			out = append(out, d.GUID)
		}
	}
	return out
}

// Wait waits for the redeliveries under way.
func (h *GitHubHook) Wait() { h.wg.Wait() }

// GitHubOpenPull is an open pull request as GET /repos/{repo}/pulls lists it.
type GitHubOpenPull struct {
	Number  int
	HeadSHA string
	BaseRef string
	Updated time.Time
}

// GitHubOpenPullRequests answers GET /repos/{repo}/pulls (open pull
// requests, one page) with pulls, in GitHub's shape.
func (f *FakeSCM) GitHubOpenPullRequests(repo string, pulls []GitHubOpenPull) {
	user := map[string]any{"login": "octocat", "id": 3}
	list := make([]map[string]any, 0, len(pulls))
	for _, p := range pulls {
		list = append(list, map[string]any{
			"number": p.Number, "state": "open", "title": "Add a feature", "draft": false,
			"html_url":   "https://github.com/" + repo + "/pull/" + strconv.Itoa(p.Number),
			"user":       user,
			"created_at": p.Updated.UTC().Format(time.RFC3339), "updated_at": p.Updated.UTC().Format(time.RFC3339),
			"head":   map[string]any{"ref": "feature-" + strconv.Itoa(p.Number), "sha": p.HeadSHA, "repo": githubRepo(repo), "user": user},
			"base":   map[string]any{"ref": p.BaseRef, "sha": "1111111111111111111111111111111111111111", "repo": githubRepo(repo), "user": user},
			"labels": []any{},
		})
	}
	f.Handle("GET /repos/"+repo+"/pulls", func(w http.ResponseWriter, r *http.Request) {
		if state := r.URL.Query().Get("state"); state != "" && state != "open" {
			reply(w, http.StatusOK, []any{})
			return
		}
		reply(w, http.StatusOK, list)
	})
}
