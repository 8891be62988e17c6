package harness

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// gitlabWeb is where the GitLab of the payloads lives.
const gitlabWeb = "https://gitlab.example.com"

// GitLabStatus is a commit status as GitLab's API takes it.
type GitLabStatus struct {
	// Project is the project's path (a/b/c), SHA the commit.
	Project     string `json:"-"`
	SHA         string `json:"-"`
	State       string `json:"state"`
	Name        string `json:"name"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

// GitLabNote is a merge request note as GitLab's API takes it.
type GitLabNote struct {
	Project string `json:"-"`
	IID     int    `json:"-"`
	Body    string `json:"body"`
}

// gitlabStatusEvents name the transition GitLab refuses when a status is
// posted in the state it is in already.
var gitlabStatusEvents = map[string]string{
	"pending": "enqueue", "running": "run", "success": "success", "failed": "drop", "canceled": "cancel",
}

// NewFakeGitLab answers the GitLab REST v4 calls fresnel makes, in GitLab's
// response shapes: commit statuses (refusing to post a status in the state
// it has, as GitLab does), merge request notes (kept, listed, edited and
// deleted), labels, users and group and project members (see SetMembers).
func NewFakeGitLab() *FakeSCM {
	f := NewFakeSCM()
	var mu sync.Mutex
	last := map[string]string{}
	f.Handle("POST /api/v4/projects/{project}/statuses/{sha}", func(w http.ResponseWriter, r *http.Request) {
		var s GitLabStatus
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &s)
		key := r.PathValue("project") + "|" + r.PathValue("sha") + "|" + s.Name
		mu.Lock()
		previous := last[key]
		last[key] = s.State
		mu.Unlock()
		if previous == s.State {
			msg := fmt.Sprintf("Cannot transition status via :%s from :%s (Reason(s): Status cannot transition via %q)",
				gitlabStatusEvents[s.State], s.State, gitlabStatusEvents[s.State])
			reply(w, http.StatusBadRequest, map[string]string{"message": msg})
			return
		}
		reply(w, http.StatusCreated, gitlabStatusResource(r.PathValue("sha"), s))
	})
	f.state.nextID = 3001
	gitLabRoles(f)
	return f
}

func gitlabStatusResource(sha string, s GitLabStatus) map[string]any {
	return map[string]any{
		"id": 93, "sha": sha, "ref": nil, "status": s.State, "name": s.Name,
		"target_url": s.TargetURL, "description": s.Description, "created_at": "2025-06-02T10:00:00.000Z",
		"started_at": nil, "finished_at": nil, "allow_failure": false, "coverage": nil, "pipeline_id": 101,
		"author": gitlabBot(),
	}
}

func gitlabBot() map[string]any {
	return map[string]any{"id": 42, "username": "fresnel-bot", "name": "fresnel", "state": "active", "web_url": gitlabWeb + "/fresnel-bot"}
}

// GitLabMergeRequest registers GET answers for merge request iid of a
// project: the merge request and its diffs (one page of the files).
func (f *FakeSCM) GitLabMergeRequest(project string, iid int, sha, source, target string, files []string) {
	base := "/api/v4/projects/" + url.PathEscape(project) + "/merge_requests/" + strconv.Itoa(iid)
	f.Handle("GET "+base, func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, f.gitLabMergeRequestResource(project, iid, sha, source, target))
	})
	diffs := make([]map[string]any, 0, len(files))
	for _, name := range files {
		diffs = append(diffs, map[string]any{
			"old_path": name, "new_path": name, "a_mode": "100644", "b_mode": "100644",
			"diff": "@@ -1 +1 @@\n-old\n+new\n", "new_file": false, "renamed_file": false, "deleted_file": false,
		})
	}
	list, _ := json.Marshal(diffs)
	f.Handle("GET "+base+"/diffs", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("X-Page", "1")
		h.Set("X-Per-Page", "100")
		h.Set("X-Total", strconv.Itoa(len(files)))
		h.Set("X-Total-Pages", "1")
		h.Set("X-Next-Page", "")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(list)
	})
}

// GitLabStatuses returns the commit statuses received, in order, refused
// re-posts included.
func (f *FakeSCM) GitLabStatuses() []GitLabStatus {
	var out []GitLabStatus
	for _, c := range f.Calls(http.MethodPost, "/api/v4/projects/") {
		project, rest, _ := strings.Cut(strings.TrimPrefix(c.Path, "/api/v4/projects/"), "/")
		sha, ok := strings.CutPrefix(rest, "statuses/")
		if !ok {
			continue
		}
		var s GitLabStatus
		_ = json.Unmarshal(c.Body, &s)
		s.Project, _ = url.PathUnescape(project)
		s.SHA = sha
		out = append(out, s)
	}
	return out
}

// GitLabNotes returns the merge request notes received, in order.
func (f *FakeSCM) GitLabNotes() []GitLabNote {
	var out []GitLabNote
	for _, c := range f.Calls(http.MethodPost, "/api/v4/projects/") {
		project, rest, _ := strings.Cut(strings.TrimPrefix(c.Path, "/api/v4/projects/"), "/")
		var iid int
		if _, err := fmt.Sscanf(rest, "merge_requests/%d/notes", &iid); err != nil {
			continue
		}
		n := GitLabNote{IID: iid}
		_ = json.Unmarshal(c.Body, &n)
		n.Project, _ = url.PathUnescape(project)
		out = append(out, n)
	}
	return out
}

// GitLabHeader is the header of a GitLab delivery authenticated by token.
// delivery is its Idempotency-Key, which GitLab keeps when it resends a
// delivery; X-Gitlab-Event-UUID is new on every send, as GitLab makes it.
func GitLabHeader(event, delivery string, token []byte) http.Header {
	return http.Header{
		"Content-Type":          {"application/json"},
		"User-Agent":            {"GitLab/17.11.0"},
		"X-Gitlab-Event":        {event},
		"X-Gitlab-Token":        {string(token)},
		"X-Gitlab-Instance":     {gitlabWeb},
		"X-Gitlab-Webhook-Uuid": {"1b5b0cde-3d2a-4a8e-9f0e-2f7c1d6b9a11"},
		"X-Gitlab-Event-Uuid":   {newUUID()},
		"Idempotency-Key":       {delivery},
	}
}

// newUUID is a random version 4 UUID.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func gitlabUser(username string) map[string]any {
	return map[string]any{
		"id": 7, "name": username, "username": username, "email": "[REDACTED]",
		"avatar_url": "https://secure.gravatar.com/avatar/0?s=80&d=identicon",
	}
}

// gitlabProject is a project as hooks describe it; path may be nested (a/b/c).
func gitlabProject(path string) map[string]any {
	namespace := path[:max(strings.LastIndex(path, "/"), 0)]
	return map[string]any{
		"id": 14, "name": path[strings.LastIndex(path, "/")+1:], "description": "", "web_url": gitlabWeb + "/" + path,
		"avatar_url": nil, "git_ssh_url": "git@gitlab.example.com:" + path + ".git",
		"git_http_url": gitlabWeb + "/" + path + ".git", "namespace": namespace, "visibility_level": 0,
		"path_with_namespace": path, "default_branch": "main", "ci_config_path": "",
		"homepage": gitlabWeb + "/" + path, "url": "git@gitlab.example.com:" + path + ".git",
		"ssh_url": "git@gitlab.example.com:" + path + ".git", "http_url": gitlabWeb + "/" + path + ".git",
	}
}

func gitlabRepository(path string) map[string]any {
	return map[string]any{
		"name": path[strings.LastIndex(path, "/")+1:], "url": "git@gitlab.example.com:" + path + ".git",
		"description": "", "homepage": gitlabWeb + "/" + path,
	}
}

func gitlabLastCommit(path, sha string) map[string]any {
	return map[string]any{
		"id": sha, "message": "Add a feature\n", "title": "Add a feature", "timestamp": "2025-06-02T09:58:00+00:00",
		"url":    gitlabWeb + "/" + path + "/-/commit/" + sha,
		"author": map[string]any{"name": "Alice", "email": "alice@example.com"},
	}
}

// gitlabMergeRequest is the merge request of a hook: object_attributes of
// a Merge Request Hook, merge_request of a Note Hook.
func gitlabMergeRequest(path string, iid int, sha, source, target string) map[string]any {
	return map[string]any{
		"id": 500 + iid, "iid": iid, "title": "Add a feature", "description": "", "state": "opened",
		"target_branch": target, "source_branch": source, "source_project_id": 14, "target_project_id": 14,
		"author_id": 7, "assignee_ids": []int{}, "reviewer_ids": []int{}, "merge_status": "unchecked",
		"detailed_merge_status": "mergeable", "draft": false, "work_in_progress": false,
		"created_at": "2025-06-02 09:58:00 UTC", "updated_at": "2025-06-02 10:00:00 UTC",
		"url":    gitlabWeb + "/" + path + "/-/merge_requests/" + strconv.Itoa(iid),
		"source": gitlabProject(path), "target": gitlabProject(path),
		"last_commit": gitlabLastCommit(path, sha), "labels": []any{},
	}
}

// GitLabMergeRequestEvent is a Merge Request Hook body for project (a
// nested path is fine). action is open, reopen, update, close or merge; an
// update carries oldrev, as one that pushed commits does.
func GitLabMergeRequestEvent(action, project string, iid int, sha, source, target string) []byte {
	attrs := gitlabMergeRequest(project, iid, sha, source, target)
	attrs["action"] = action
	if action == "update" {
		attrs["oldrev"] = "2222222222222222222222222222222222222222"
	}
	body, _ := json.Marshal(map[string]any{
		"object_kind": "merge_request", "event_type": "merge_request",
		"user": gitlabUser("alice"), "project": gitlabProject(project), "repository": gitlabRepository(project),
		"object_attributes": attrs, "labels": []any{}, "changes": map[string]any{},
		"assignees": []any{}, "reviewers": []any{},
	})
	return body
}

// GitLabMergeRequestNote is a Note Hook body: author's note on merge
// request iid of project.
func GitLabMergeRequestNote(project string, iid int, sha, source, target, author, note string) []byte {
	body, _ := json.Marshal(map[string]any{
		"object_kind": "note", "event_type": "note",
		"user": gitlabUser(author), "project_id": 14, "project": gitlabProject(project), "repository": gitlabRepository(project),
		"object_attributes": map[string]any{
			"id": 1244, "note": note, "noteable_type": "MergeRequest", "author_id": 8,
			"created_at": "2025-06-02 10:05:00 UTC", "updated_at": "2025-06-02 10:05:00 UTC",
			"project_id": 14, "attachment": nil, "line_code": nil, "commit_id": "", "noteable_id": 500 + iid,
			"system": false, "st_diff": nil, "action": "create", "type": nil,
			"url": gitlabWeb + "/" + project + "/-/merge_requests/" + strconv.Itoa(iid) + "#note_1244",
		},
		"merge_request": gitlabMergeRequest(project, iid, sha, source, target),
	})
	return body
}
