package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gitLabRoles adds the trust, label and note calls to a GitLab stand-in,
// answered from its state in GitLab's shapes. Every username is a GitLab
// user; members have the Developer role.
func gitLabRoles(f *FakeSCM) {
	ids := &gitLabUsers{byName: map[string]int{}, byID: map[int]string{}}
	f.Handle("GET /api/v4/users", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("username")
		if name == "" {
			reply(w, http.StatusOK, []any{})
			return
		}
		reply(w, http.StatusOK, []any{gitLabUserResource(ids.id(name), name)})
	})
	f.Handle("GET /api/v4/groups/{group}/members/all/{id}", func(w http.ResponseWriter, r *http.Request) {
		gitLabMember(w, r, ids, f.isMember(r.PathValue("group"), ids.name(r.PathValue("id"))))
	})
	f.Handle("GET /api/v4/projects/{project}/members/all/{id}", func(w http.ResponseWriter, r *http.Request) {
		gitLabMember(w, r, ids, f.isCollaborator(r.PathValue("project"), ids.name(r.PathValue("id"))))
	})
	gitLabLabels(f)
	gitLabNotes(f)
}

// gitLabUsers numbers the usernames the stand-in was asked about.
type gitLabUsers struct {
	mu     sync.Mutex
	byName map[string]int
	byID   map[int]string
}

func (u *gitLabUsers) id(name string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if id, ok := u.byName[name]; ok {
		return id
	}
	id := 1000 + len(u.byName)
	u.byName[name], u.byID[id] = id, name
	return id
}

func (u *gitLabUsers) name(id string) string {
	n, _ := strconv.Atoi(id)
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.byID[n]
}

func gitLabUserResource(id int, name string) map[string]any {
	return map[string]any{
		"id": id, "username": name, "name": name, "state": "active", "locked": false,
		"avatar_url": "https://secure.gravatar.com/avatar/0?s=80&d=identicon", "web_url": gitlabWeb + "/" + name,
	}
}

func gitLabMember(w http.ResponseWriter, r *http.Request, ids *gitLabUsers, member bool) {
	name := ids.name(r.PathValue("id"))
	if name == "" || !member {
		reply(w, http.StatusNotFound, map[string]string{"message": "404 Not found"})
		return
	}
	m := gitLabUserResource(ids.id(name), name)
	m["access_level"], m["membership_state"], m["expires_at"] = 30, "active", nil
	reply(w, http.StatusOK, m)
}

// glPR is the project path and merge request iid of a request's path.
func glPR(r *http.Request) (string, int) {
	iid, _ := strconv.Atoi(r.PathValue("iid"))
	return r.PathValue("project"), iid
}

func gitLabLabels(f *FakeSCM) {
	const base = "/api/v4/projects/{project}/merge_requests/{iid}"
	// A merge request GitLabMergeRequest registered has its own route;
	// others exist once they have labels, so a test that forgot to
	// register one still sees a 404.
	f.Handle("GET "+base, func(w http.ResponseWriter, r *http.Request) {
		project, iid := glPR(r)
		if !f.hasLabels(project, iid) {
			reply(w, http.StatusNotFound, map[string]string{"message": "404 Not found"})
			return
		}
		reply(w, http.StatusOK, f.gitLabMergeRequestResource(project, iid, "", "feature", "main"))
	})
	f.Handle("PUT "+base, func(w http.ResponseWriter, r *http.Request) {
		project, iid := glPR(r)
		var in struct {
			AddLabels    string `json:"add_labels"`
			RemoveLabels string `json:"remove_labels"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
			return
		}
		if in.AddLabels != "" {
			f.addLabels(project, iid, strings.Split(in.AddLabels, ",")...)
		}
		for _, l := range strings.Split(in.RemoveLabels, ",") {
			f.removeLabel(project, iid, l)
		}
		reply(w, http.StatusOK, f.gitLabMergeRequestResource(project, iid, "", "feature", "main"))
	})
}

// gitLabMergeRequestResource is a merge request as the API gives it, with
// the labels the stand-in keeps.
func (f *FakeSCM) gitLabMergeRequestResource(project string, iid int, sha, source, target string) map[string]any {
	labels := f.Labels(project, iid)
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"id": 500 + iid, "iid": iid, "project_id": 14, "title": "Add a feature", "state": "opened",
		"web_url": gitlabWeb + "/" + project + "/-/merge_requests/" + strconv.Itoa(iid),
		"sha":     sha, "source_branch": source, "target_branch": target, "draft": false, "work_in_progress": false,
		"source_project_id": 14, "target_project_id": 14, "author": map[string]any{"id": 7, "username": "alice"},
		"labels": labels,
	}
}

func gitLabNote(iid int, c storedComment) map[string]any {
	return map[string]any{
		"id": c.id, "type": nil, "body": c.body, "attachment": nil,
		"author":     map[string]any{"id": 42, "username": c.author, "name": c.author, "state": "active", "web_url": gitlabWeb + "/" + c.author},
		"created_at": "2025-06-02T10:00:00.000Z", "updated_at": "2025-06-02T10:00:00.000Z",
		"system": false, "noteable_id": 500 + iid, "noteable_type": "MergeRequest", "noteable_iid": iid,
		"resolvable": false, "confidential": false, "internal": false,
	}
}

func gitLabNotes(f *FakeSCM) {
	const base = "/api/v4/projects/{project}/merge_requests/{iid}/notes"
	f.Handle("POST "+base, func(w http.ResponseWriter, r *http.Request) {
		var n GitLabNote
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &n)
		project, iid := glPR(r)
		reply(w, http.StatusCreated, gitLabNote(iid, f.addComment(project, iid, "fresnel-bot", n.Body)))
	})
	f.Handle("GET "+base, func(w http.ResponseWriter, r *http.Request) {
		project, iid := glPR(r)
		out := []map[string]any{}
		for _, c := range f.Comments(project, iid) {
			id, _ := strconv.Atoi(c.ID)
			out = append(out, gitLabNote(iid, storedComment{id: id, author: c.Author, body: c.Body}))
		}
		h := w.Header()
		h.Set("X-Page", "1")
		h.Set("X-Total-Pages", "1")
		h.Set("X-Next-Page", "")
		reply(w, http.StatusOK, out)
	})
	gitLabNoteChanges(f)
}

// gitLabNoteChanges answers note edits and deletes.
func gitLabNoteChanges(f *FakeSCM) {
	const base = "/api/v4/projects/{project}/merge_requests/{iid}/notes"
	f.Handle("PUT "+base+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		var n GitLabNote
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &n)
		project, iid := glPR(r)
		id, _ := strconv.Atoi(r.PathValue("id"))
		c, res := f.editComment(project, id, -1, n.Body)
		if res != commentChanged {
			reply(w, http.StatusNotFound, map[string]string{"message": "404 Note Not Found"})
			return
		}
		reply(w, http.StatusOK, gitLabNote(iid, c))
	})
	f.Handle("DELETE "+base+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		project, _ := glPR(r)
		id, _ := strconv.Atoi(r.PathValue("id"))
		if f.deleteComment(project, id, -1) != commentChanged {
			reply(w, http.StatusNotFound, map[string]string{"message": "404 Note Not Found"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
