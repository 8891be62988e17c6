package harness

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// GitLabHook stands in for one project hook of GitLab 17.4 or later: it
// sends deliveries to fresnel and logs them as GitLab's hook events API
// shows them (GET /projects/:id/hooks/:hook_id/events, newest first,
// filtered by ?status=successful, client_failure or server_failure),
// lists itself under GET /projects/:id/hooks, and sends an event again on
// POST .../events/:id/resend with the same Idempotency-Key, as GitLab
// does. Without hook events (Unsupported), the events API answers 404 as
// GitLab before 17.4.
type GitLabHook struct {
	Project string
	ID      int64
	URL     string
	token   []byte
	// Unsupported makes the hook events API answer 404.
	Unsupported bool

	mu     sync.Mutex
	nextID int64
	events []gitlabHookEvent
}

// gitlabHookEvent is one logged delivery, with what it sent.
type gitlabHookEvent struct {
	ID                int64             `json:"id"`
	URL               string            `json:"url"`
	Trigger           string            `json:"trigger"`
	RequestHeaders    map[string]string `json:"request_headers"`
	RequestData       map[string]any    `json:"request_data"`
	ResponseHeaders   map[string]string `json:"response_headers"`
	ResponseBody      string            `json:"response_body"`
	ExecutionDuration float64           `json:"execution_duration"`
	ResponseStatus    string            `json:"response_status"`
	event, delivery   string
	body              []byte
	resent            bool
}

// gitlabTriggers are the hook events' trigger names by X-Gitlab-Event.
var gitlabTriggers = map[string]string{"Merge Request Hook": "merge_request_hooks", "Note Hook": "note_hooks", "Push Hook": "push_hooks"}

// GitLabHook registers project hook id of project (its path) that
// delivers to url with token.
func (f *FakeSCM) GitLabHook(project string, id int64, url string, token []byte) *GitLabHook {
	h := &GitLabHook{Project: project, ID: id, URL: url, token: token, nextID: id * 1000}
	base := "/api/v4/projects/" + pathEscape(project) + "/hooks"
	f.Handle("GET "+base, func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, []map[string]any{{"id": id, "url": url, "project_id": 14, "push_events": true,
			"merge_requests_events": true, "note_events": true, "enable_ssl_verification": true, "alert_status": "executable"}})
	})
	events := base + "/" + strconv.FormatInt(id, 10) + "/events"
	f.Handle("GET "+events, func(w http.ResponseWriter, r *http.Request) {
		if h.Unsupported {
			reply(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
			return
		}
		reply(w, http.StatusOK, h.list(r.URL.Query().Get("status")))
	})
	f.Handle("POST "+events+"/{event}/resend", func(w http.ResponseWriter, r *http.Request) {
		eid, _ := strconv.ParseInt(r.PathValue("event"), 10, 64)
		ev, ok := h.find(eid)
		if !ok || h.Unsupported {
			reply(w, http.StatusNotFound, map[string]string{"message": "404 Not Found"})
			return
		}
		code, _ := h.send(ev.event, ev.delivery, ev.body, true)
		reply(w, http.StatusCreated, map[string]any{"response_status": code})
	})
	return h
}

// pathEscape escapes a project path as one URL path segment.
func pathEscape(project string) string { return url.PathEscape(project) }

// Deliver sends a delivery of event (an X-Gitlab-Event value) with the
// Idempotency-Key delivery, logs it and returns the status fresnel
// answered (0 if it could not be reached).
func (h *GitLabHook) Deliver(event, delivery string, body []byte) (int, error) {
	return h.send(event, delivery, body, false)
}

func (h *GitLabHook) send(event, delivery string, body []byte, resent bool) (int, error) {
	req, err := http.NewRequest(http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = GitLabHeader(event, delivery, h.token)
	start := time.Now()
	code := 0
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		code = resp.StatusCode
		resp.Body.Close()
	}
	h.record(req.Header, event, delivery, body, resent, code, time.Since(start))
	return code, err
}

func (h *GitLabHook) record(header http.Header, event, delivery string, body []byte, resent bool, code int, took time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	headers := map[string]string{}
	for k := range header {
		headers[k] = header.Get(k)
	}
	headers["X-Gitlab-Token"] = "[REDACTED]"
	status := strconv.Itoa(code)
	if code == 0 {
		status = "internal error"
	}
	h.events = append(h.events, gitlabHookEvent{
		ID: h.nextID, URL: h.URL, Trigger: gitlabTriggers[event], RequestHeaders: headers,
		RequestData: map[string]any{"object_kind": gitlabTriggers[event]}, ResponseHeaders: map[string]string{},
		ExecutionDuration: took.Seconds(), ResponseStatus: status,
		event: event, delivery: delivery, body: body, resent: resent,
	})
}

// list is the logged events newest first, of the status class asked for.
func (h *GitLabHook) list(class string) []gitlabHookEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []gitlabHookEvent{}
	for i := len(h.events) - 1; i >= 0; i-- {
		if ev := h.events[i]; class == "" || statusClass(ev.ResponseStatus) == class {
			out = append(out, ev)
		}
	}
	return out
}

// statusClass is GitLab's name for the class of a logged response status.
func statusClass(status string) string {
	code, err := strconv.Atoi(status)
	switch {
	case err != nil || code >= 500:
		return "server_failure"
	case code >= 400:
		return "client_failure"
	default:
		return "successful"
	}
}

func (h *GitLabHook) find(id int64) (gitlabHookEvent, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range h.events {
		if ev.ID == id {
			return ev, true
		}
	}
	return gitlabHookEvent{}, false
}

// Resent returns the Idempotency-Keys of the events sent again, in order.
func (h *GitLabHook) Resent() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, ev := range h.events {
		if ev.resent {
			out = append(out, ev.delivery)
		}
	}
	return out
}

// GitLabOpenMergeRequest is an open merge request as GET
// /projects/:id/merge_requests lists it.
type GitLabOpenMergeRequest struct {
	IID     int
	SHA     string
	Source  string
	Target  string
	Updated time.Time
}

// GitLabOpenMergeRequests answers GET /projects/:id (the project) and GET
// /projects/:id/merge_requests?state=opened (filtered by updated_after)
// for project, in GitLab's shapes.
func (f *FakeSCM) GitLabOpenMergeRequests(project string, mrs []GitLabOpenMergeRequest) {
	base := "/api/v4/projects/" + pathEscape(project)
	f.Handle("GET "+base, func(w http.ResponseWriter, _ *http.Request) {
		p := gitlabProject(project)
		p["http_url_to_repo"], p["ssh_url_to_repo"] = p["git_http_url"], p["git_ssh_url"]
		reply(w, http.StatusOK, p)
	})
	f.Handle("GET "+base+"/merge_requests", func(w http.ResponseWriter, r *http.Request) {
		after, _ := time.Parse(time.RFC3339, r.URL.Query().Get("updated_after"))
		out := []map[string]any{}
		for _, mr := range mrs {
			if r.URL.Query().Get("state") != "opened" || mr.Updated.Before(after) {
				continue
			}
			res := f.gitLabMergeRequestResource(project, mr.IID, mr.SHA, mr.Source, mr.Target)
			res["updated_at"] = mr.Updated.UTC().Format("2006-01-02T15:04:05.000Z")
			out = append(out, res)
		}
		reply(w, http.StatusOK, out)
	})
}
