package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// BitbucketCloudAccountID is the account id the payload builders give the
// user with nickname: Bitbucket Cloud events and API calls name users by
// account id. SetMembers and SetCollaborators take either form.
func BitbucketCloudAccountID(nickname string) string { return "557058:" + nickname }

// bitbucketCloudRoles adds the trust and comment calls to a Bitbucket
// Cloud stand-in, answered from its state in Bitbucket's shapes.
func bitbucketCloudRoles(f *FakeSCM) {
	f.state.sameUser = func(asked, named string) bool {
		return asked == named || asked == BitbucketCloudAccountID(named)
	}
	f.Handle("GET /2.0/workspaces/{workspace}/members/{member}", func(w http.ResponseWriter, r *http.Request) {
		ws, member := r.PathValue("workspace"), r.PathValue("member")
		if !f.isMember(ws, member) {
			reply(w, http.StatusNotFound, bitbucketCloudError("Resource not found"))
			return
		}
		reply(w, http.StatusOK, map[string]any{
			"type": "workspace_membership", "user": bitbucketCloudUserByID(member),
			"workspace": map[string]any{"type": "workspace", "slug": ws, "name": ws},
		})
	})
	f.Handle("GET /2.0/workspaces/{workspace}/permissions/repositories/{slug}", func(w http.ResponseWriter, r *http.Request) {
		repo := r.PathValue("workspace") + "/" + r.PathValue("slug")
		values := []any{}
		if user, ok := accountIDQuery(r.URL.Query().Get("q")); ok && f.isCollaborator(repo, user) {
			values = append(values, map[string]any{
				"type": "repository_permission", "permission": "write", "user": bitbucketCloudUserByID(user),
				"repository": map[string]any{"type": "repository", "full_name": repo, "name": r.PathValue("slug")},
			})
		}
		reply(w, http.StatusOK, map[string]any{"pagelen": 10, "page": 1, "size": len(values), "values": values})
	})
	bitbucketCloudComments(f)
}

func bitbucketCloudError(msg string) map[string]any {
	return map[string]any{"type": "error", "error": map[string]string{"message": msg}}
}

// accountIDQuery reads the account id of a q=user.account_id="..." query.
func accountIDQuery(q string) (string, bool) {
	rest, ok := strings.CutPrefix(q, "user.account_id=")
	if !ok {
		return "", false
	}
	id, err := strconv.Unquote(rest)
	return id, err == nil
}

// bitbucketCloudUserByID is a user named by account id (557058:nickname).
func bitbucketCloudUserByID(accountID string) map[string]any {
	_, nickname, found := strings.Cut(accountID, ":")
	if !found {
		nickname = accountID
	}
	return bitbucketCloudUser(nickname)
}

// bbcPR is the repository and pull request id of a request's path.
func bbcPR(r *http.Request) (string, int) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	return r.PathValue("workspace") + "/" + r.PathValue("slug"), id
}

func bitbucketCloudComment(repo string, id int, c storedComment) map[string]any {
	return map[string]any{
		"type": "pullrequest_comment", "id": c.id, "deleted": false, "pending": false,
		"content":    map[string]any{"type": "rendered", "raw": c.body, "markup": "markdown", "html": "<p>" + c.body + "</p>"},
		"user":       bitbucketCloudUserByID(c.author),
		"created_on": "2025-06-02T10:00:00.000000+00:00", "updated_on": "2025-06-02T10:00:00.000000+00:00",
		"pullrequest": map[string]any{"type": "pullrequest", "id": id, "title": "Add a feature"},
		"links": map[string]any{"html": map[string]string{
			"href": bitbucketWeb + "/" + repo + "/pull-requests/" + strconv.Itoa(id) + "#comment-" + strconv.Itoa(c.id)}},
	}
}

// readRaw reads the content.raw of a comment body.
func readRaw(r *http.Request) string {
	var in struct {
		Content struct {
			Raw string `json:"raw"`
		} `json:"content"`
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)
	return in.Content.Raw
}

func bitbucketCloudComments(f *FakeSCM) {
	const base = "/2.0/repositories/{workspace}/{slug}/pullrequests/{id}/comments"
	f.Handle("POST "+base, func(w http.ResponseWriter, r *http.Request) {
		repo, id := bbcPR(r)
		c := f.addComment(repo, id, BitbucketCloudAccountID("fresnel-bot"), readRaw(r))
		reply(w, http.StatusCreated, bitbucketCloudComment(repo, id, c))
	})
	f.Handle("GET "+base, func(w http.ResponseWriter, r *http.Request) {
		repo, id := bbcPR(r)
		values := []any{}
		for _, c := range f.Comments(repo, id) {
			n, _ := strconv.Atoi(c.ID)
			values = append(values, bitbucketCloudComment(repo, id, storedComment{id: n, author: c.Author, body: c.Body}))
		}
		reply(w, http.StatusOK, map[string]any{"pagelen": 100, "page": 1, "size": len(values), "values": values})
	})
	f.Handle("PUT "+base+"/{cid}", func(w http.ResponseWriter, r *http.Request) {
		repo, id := bbcPR(r)
		cid, _ := strconv.Atoi(r.PathValue("cid"))
		c, res := f.editComment(repo, cid, -1, readRaw(r))
		if res != commentChanged {
			reply(w, http.StatusNotFound, bitbucketCloudError("Resource not found"))
			return
		}
		reply(w, http.StatusOK, bitbucketCloudComment(repo, id, c))
	})
	f.Handle("DELETE "+base+"/{cid}", func(w http.ResponseWriter, r *http.Request) {
		repo, _ := bbcPR(r)
		cid, _ := strconv.Atoi(r.PathValue("cid"))
		if f.deleteComment(repo, cid, -1) != commentChanged {
			reply(w, http.StatusNotFound, bitbucketCloudError("Resource not found"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
