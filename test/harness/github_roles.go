package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// gitHubRoles adds the trust, label and comment calls to a GitHub
// stand-in, answered from its state in GitHub's shapes.
func gitHubRoles(f *FakeSCM) {
	notFound := map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}
	f.Handle("GET /orgs/{org}/members/{user}", func(w http.ResponseWriter, r *http.Request) {
		if !f.isMember(r.PathValue("org"), r.PathValue("user")) {
			reply(w, http.StatusNotFound, notFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	f.Handle("GET /repos/{owner}/{repo}/collaborators/{user}", func(w http.ResponseWriter, r *http.Request) {
		if !f.isCollaborator(ghRepo(r), r.PathValue("user")) {
			reply(w, http.StatusNotFound, notFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	gitHubLabels(f)
	gitHubComments(f)
}

// ghRepo is the owner/name of a request's path.
func ghRepo(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

// ghNumber is the issue number of a request's path, 0 if it is none.
func ghNumber(r *http.Request) int {
	n, _ := strconv.Atoi(r.PathValue("number"))
	return n
}

func gitHubLabelList(repo string, names []string) []map[string]any {
	out := make([]map[string]any, 0, len(names))
	for i, name := range names {
		out = append(out, map[string]any{
			"id": 208045900 + i, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "name": name, "color": "ededed", "default": false,
			"description": nil, "url": "https://api.github.com/repos/" + repo + "/labels/" + name,
		})
	}
	return out
}

func gitHubLabels(f *FakeSCM) {
	const base = "/repos/{owner}/{repo}/issues/{number}/labels"
	f.Handle("GET "+base, func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, gitHubLabelList(ghRepo(r), f.Labels(ghRepo(r), ghNumber(r))))
	})
	f.Handle("POST "+base, func(w http.ResponseWriter, r *http.Request) {
		// GitHub takes ["a"] or {"labels": ["a"]}.
		body, _ := io.ReadAll(r.Body)
		var names []string
		if json.Unmarshal(body, &names) != nil {
			var in struct {
				Labels []string `json:"labels"`
			}
			if err := json.Unmarshal(body, &in); err != nil {
				reply(w, http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request."})
				return
			}
			names = in.Labels
		}
		reply(w, http.StatusOK, gitHubLabelList(ghRepo(r), f.addLabels(ghRepo(r), ghNumber(r), names...)))
	})
	f.Handle("DELETE "+base+"/{name}", func(w http.ResponseWriter, r *http.Request) {
		if !f.removeLabel(ghRepo(r), ghNumber(r), r.PathValue("name")) {
			reply(w, http.StatusNotFound, map[string]string{"message": "Label does not exist", "status": "404"})
			return
		}
		reply(w, http.StatusOK, gitHubLabelList(ghRepo(r), f.Labels(ghRepo(r), ghNumber(r))))
	})
}

func gitHubComment(repo string, number int, c storedComment) map[string]any {
	id := strconv.Itoa(c.id)
	return map[string]any{
		"id": c.id, "node_id": "IC_kwDOABCD0M4AEYDJ", "body": c.body,
		"url":        "https://api.github.com/repos/" + repo + "/issues/comments/" + id,
		"html_url":   "https://github.com/" + repo + "/pull/" + strconv.Itoa(number) + "#issuecomment-" + id,
		"issue_url":  "https://api.github.com/repos/" + repo + "/issues/" + strconv.Itoa(number),
		"user":       map[string]any{"login": c.author, "id": 41898282, "type": "User"},
		"created_at": "2025-06-02T10:00:00Z", "updated_at": "2025-06-02T10:00:00Z", "author_association": "MEMBER",
	}
}

func gitHubComments(f *FakeSCM) {
	f.Handle("POST /repos/{owner}/{repo}/issues/{number}/comments", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Body string `json:"body"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		c := f.addComment(ghRepo(r), ghNumber(r), "fresnel-bot", in.Body)
		reply(w, http.StatusCreated, gitHubComment(ghRepo(r), ghNumber(r), c))
	})
	f.Handle("GET /repos/{owner}/{repo}/issues/{number}/comments", func(w http.ResponseWriter, r *http.Request) {
		out := []map[string]any{}
		for _, c := range f.Comments(ghRepo(r), ghNumber(r)) {
			id, _ := strconv.Atoi(c.ID)
			out = append(out, gitHubComment(ghRepo(r), ghNumber(r), storedComment{id: id, author: c.Author, body: c.Body}))
		}
		reply(w, http.StatusOK, out)
	})
	f.Handle("PATCH /repos/{owner}/{repo}/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Body string `json:"body"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		id, _ := strconv.Atoi(r.PathValue("id"))
		c, res := f.editComment(ghRepo(r), id, -1, in.Body)
		if res != commentChanged {
			reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		reply(w, http.StatusOK, gitHubComment(ghRepo(r), 0, c))
	})
	f.Handle("DELETE /repos/{owner}/{repo}/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if f.deleteComment(ghRepo(r), id, -1) != commentChanged {
			reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
