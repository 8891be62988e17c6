package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// bitbucketServerRoles adds the permission and comment calls to a
// Bitbucket Data Center stand-in, answered from its state in Bitbucket's
// shapes: members of a project (SetMembers with the project key) have
// PROJECT_WRITE, collaborators of a repository REPO_WRITE.
func bitbucketServerRoles(f *FakeSCM) {
	f.Handle("GET /rest/api/1.0/projects/{key}/permissions/users", func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("filter")
		bitbucketServerPermissions(w, user, f.isMember(r.PathValue("key"), user), "PROJECT_WRITE")
	})
	f.Handle("GET /rest/api/1.0/projects/{key}/repos/{slug}/permissions/users", func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("filter")
		repo := r.PathValue("key") + "/" + r.PathValue("slug")
		bitbucketServerPermissions(w, user, f.isCollaborator(repo, user), "REPO_WRITE")
	})
	bitbucketServerComments(f)
}

// bitbucketServerPermissions answers a permissions/users page: the user,
// with permission, when granted.
func bitbucketServerPermissions(w http.ResponseWriter, user string, granted bool, permission string) {
	values := []any{}
	if granted && user != "" {
		values = append(values, map[string]any{"user": bitbucketServerUser(user), "permission": permission})
	}
	reply(w, http.StatusOK, map[string]any{"size": len(values), "limit": 25, "isLastPage": true, "values": values, "start": 0})
}

// bbsPR is the repository (KEY/slug) and pull request id of a request's path.
func bbsPR(r *http.Request) (string, int) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	return r.PathValue("key") + "/" + r.PathValue("slug"), id
}

func bitbucketServerComment(c storedComment) map[string]any {
	return map[string]any{
		"properties": map[string]any{"repositoryId": 4}, "id": c.id, "version": c.version, "text": c.body,
		"author":      bitbucketServerUser(c.author),
		"createdDate": 1748858400000, "updatedDate": 1748858400000, "comments": []any{}, "tasks": []any{},
		"severity": "NORMAL", "state": "OPEN",
		"permittedOperations": map[string]bool{"editable": true, "transitionable": true, "deletable": true},
	}
}

// bitbucketServerError answers an error as Data Center does.
func bitbucketServerError(w http.ResponseWriter, status int, exception, msg string) {
	reply(w, status, map[string]any{"errors": []map[string]any{{"context": nil, "message": msg, "exceptionName": exception}}})
}

func bitbucketServerComments(f *FakeSCM) {
	const base = "/rest/api/1.0/projects/{key}/repos/{slug}/pull-requests/{id}"
	f.Handle("POST "+base+"/comments", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Text string `json:"text"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		repo, id := bbsPR(r)
		reply(w, http.StatusCreated, bitbucketServerComment(f.addComment(repo, id, "fresnel-bot", in.Text)))
	})
	f.Handle("GET "+base+"/activities", func(w http.ResponseWriter, r *http.Request) {
		repo, id := bbsPR(r)
		comments := f.Comments(repo, id)
		values := []any{}
		for i := len(comments) - 1; i >= 0; i-- { // newest first
			n, _ := strconv.Atoi(comments[i].ID)
			c, _ := f.comment(repo, n)
			values = append(values, map[string]any{
				"id": 900 + n, "createdDate": 1748858400000, "user": bitbucketServerUser(c.author),
				"action": "COMMENTED", "commentAction": "ADDED", "comment": bitbucketServerComment(c), "commentAnchor": nil,
			})
		}
		reply(w, http.StatusOK, map[string]any{"size": len(values), "limit": 25, "isLastPage": true, "values": values, "start": 0})
	})
	f.Handle("GET "+base+"/comments/{cid}", func(w http.ResponseWriter, r *http.Request) {
		repo, _ := bbsPR(r)
		cid, _ := strconv.Atoi(r.PathValue("cid"))
		c, ok := f.comment(repo, cid)
		if !ok {
			bitbucketServerMissing(w, cid)
			return
		}
		reply(w, http.StatusOK, bitbucketServerComment(c))
	})
	bitbucketServerCommentChanges(f)
}

// bitbucketServerCommentChanges answers edits and deletes, which need the
// comment's current version, as Data Center's do.
func bitbucketServerCommentChanges(f *FakeSCM) {
	const base = "/rest/api/1.0/projects/{key}/repos/{slug}/pull-requests/{id}"
	f.Handle("PUT "+base+"/comments/{cid}", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Text    string `json:"text"`
			Version *int   `json:"version"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil || in.Version == nil {
			bitbucketServerError(w, http.StatusBadRequest, "com.atlassian.bitbucket.rest.exception.BadRequestException", "version is required")
			return
		}
		repo, _ := bbsPR(r)
		cid, _ := strconv.Atoi(r.PathValue("cid"))
		c, res := f.editComment(repo, cid, *in.Version, in.Text)
		bitbucketServerCommentResult(w, cid, res, func() { reply(w, http.StatusOK, bitbucketServerComment(c)) })
	})
	f.Handle("DELETE "+base+"/comments/{cid}", func(w http.ResponseWriter, r *http.Request) {
		repo, _ := bbsPR(r)
		cid, _ := strconv.Atoi(r.PathValue("cid"))
		version, err := strconv.Atoi(r.URL.Query().Get("version"))
		if err != nil {
			bitbucketServerError(w, http.StatusBadRequest, "com.atlassian.bitbucket.rest.exception.BadRequestException", "version is required")
			return
		}
		res := f.deleteComment(repo, cid, version)
		bitbucketServerCommentResult(w, cid, res, func() { w.WriteHeader(http.StatusNoContent) })
	})
}

func bitbucketServerMissing(w http.ResponseWriter, cid int) {
	bitbucketServerError(w, http.StatusNotFound, "com.atlassian.bitbucket.comment.NoSuchCommentException",
		"Comment "+strconv.Itoa(cid)+" does not exist.")
}

// bitbucketServerCommentResult answers an edit or delete as Data Center
// does: 404 for a missing comment, 409 for an out-of-date version.
func bitbucketServerCommentResult(w http.ResponseWriter, cid int, res commentResult, done func()) {
	switch res {
	case commentMissing:
		bitbucketServerMissing(w, cid)
	case commentOutdated:
		bitbucketServerError(w, http.StatusConflict, "com.atlassian.bitbucket.comment.CommentOutOfDateException",
			"You are attempting to modify a comment based on out-of-date information.")
	default:
		done()
	}
}
