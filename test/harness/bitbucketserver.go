package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/fresnel-ci/fresnel/providers"
)

// bitbucketServerWeb is where the Bitbucket Data Center of the payloads lives.
const bitbucketServerWeb = "https://bitbucket.example.com"

// NewFakeBitbucketServer answers the Bitbucket Data Center REST calls
// fresnel makes, in Bitbucket's response shapes: build statuses (204, no
// body), pull request comments (kept, listed as activities, edited and
// deleted with their version) and project and repository permissions (see
// SetMembers; users by slug).
func NewFakeBitbucketServer() *FakeSCM {
	f := NewFakeSCM()
	f.Handle("POST /rest/build-status/1.0/commits/{sha}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	f.state.nextID = 167
	bitbucketServerRoles(f)
	return f
}

// BitbucketServerPullRequest registers GET answers for pull request id of
// repo (KEY/slug): the pull request and its changes.
func (f *FakeSCM) BitbucketServerPullRequest(repo string, id int, sha, source, target string, files []string) {
	base := "/rest/api/1.0/" + bitbucketServerRepoPath(repo) + "/pull-requests/" + strconv.Itoa(id)
	prJSON, _ := json.Marshal(bitbucketServerPullRequest(repo, id, sha, source, target))
	f.JSON("GET "+base, http.StatusOK, string(prJSON))
	values := make([]map[string]any, 0, len(files))
	for _, name := range files {
		values = append(values, map[string]any{
			"contentId": "abb2f5f1b0b4", "fromContentId": "48c6c3e3bd2a", "type": "MODIFY", "nodeType": "FILE",
			"path": bitbucketServerPath(name), "executable": false, "srcExecutable": false, "percentUnchanged": -1,
			"properties": map[string]string{"gitChangeType": "MODIFY"},
		})
	}
	changes, _ := json.Marshal(map[string]any{
		"fromHash": sha, "toHash": "cde6c45a4210afe81638aa1f3aa960d633c66a90", "properties": map[string]string{"changeScope": "ALL"},
		"values": values, "size": len(values), "isLastPage": true, "start": 0, "limit": 100, "nextPageStart": nil,
	})
	f.JSON("GET "+base+"/changes", http.StatusOK, string(changes))
}

func bitbucketServerPath(name string) map[string]any {
	ext := strings.TrimPrefix(path.Ext(name), ".")
	return map[string]any{
		"components": strings.Split(name, "/"), "parent": path.Dir(name), "name": path.Base(name),
		"extension": ext, "toString": name,
	}
}

// BitbucketServerStatuses returns the build statuses received, in order.
func (f *FakeSCM) BitbucketServerStatuses() []BitbucketStatus {
	var out []BitbucketStatus
	for _, c := range f.Calls(http.MethodPost, "/rest/build-status/1.0/commits/") {
		s := BitbucketStatus{SHA: strings.TrimPrefix(c.Path, "/rest/build-status/1.0/commits/")}
		_ = json.Unmarshal(c.Body, &s)
		out = append(out, s)
	}
	return out
}

// BitbucketServerComments returns the pull request comments received.
func (f *FakeSCM) BitbucketServerComments() []BitbucketComment {
	var out []BitbucketComment
	for _, c := range f.Calls(http.MethodPost, "/rest/api/1.0/projects/") {
		var key, slug string
		var n int
		rest := strings.ReplaceAll(strings.TrimPrefix(c.Path, "/rest/api/1.0/projects/"), "/", " ")
		if _, err := fmt.Sscanf(rest, "%s repos %s pull-requests %d comments", &key, &slug, &n); err != nil {
			continue
		}
		var in struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(c.Body, &in)
		out = append(out, BitbucketComment{Repo: key + "/" + slug, Number: n, Text: in.Text})
	}
	return out
}

// BitbucketServerHeader is the header of a Bitbucket Data Center delivery
// signed with secret; delivery is its X-Request-Id.
func BitbucketServerHeader(eventKey, delivery string, secret, body []byte) http.Header {
	return http.Header{
		"Content-Type":    {"application/json; charset=utf-8"},
		"User-Agent":      {"Atlassian HttpClient 4.2.0 / Bitbucket-8.19.1 (8019001) / Default"},
		"X-Event-Key":     {eventKey},
		"X-Request-Id":    {delivery},
		"X-Hub-Signature": {providers.SignSHA256(secret, body)},
	}
}

func bitbucketServerUser(slug string) map[string]any {
	return map[string]any{
		"name": slug, "emailAddress": slug + "@example.com", "id": 3231, "displayName": slug, "active": true,
		"slug": slug, "type": "NORMAL",
		"links": map[string]any{"self": []map[string]string{{"href": bitbucketServerWeb + "/users/" + slug}}},
	}
}

// bitbucketServerRepoPath is projects/KEY/repos/slug.
func bitbucketServerRepoPath(repo string) string {
	key, slug, _ := strings.Cut(repo, "/")
	return "projects/" + key + "/repos/" + slug
}

// bitbucketServerRepo is a repository (KEY/slug) as payloads show it.
func bitbucketServerRepo(repo string) map[string]any {
	key, slug, _ := strings.Cut(repo, "/")
	return map[string]any{
		"slug": slug, "id": 4, "name": slug, "hierarchyId": "e3c939f9ef4a7fae272e", "scmId": "git",
		"state": "AVAILABLE", "statusMessage": "Available", "forkable": true, "public": false,
		"project": map[string]any{
			"key": key, "id": 2, "name": key, "public": false, "type": "NORMAL",
			"links": map[string]any{"self": []map[string]string{{"href": bitbucketServerWeb + "/projects/" + key}}},
		},
		"links": map[string]any{
			"clone": []map[string]string{
				{"href": "ssh://git@bitbucket.example.com:7999/" + strings.ToLower(repo) + ".git", "name": "ssh"},
				{"href": bitbucketServerWeb + "/scm/" + strings.ToLower(repo) + ".git", "name": "http"},
			},
			"self": []map[string]string{{"href": bitbucketServerWeb + "/" + bitbucketServerRepoPath(repo) + "/browse"}},
		},
	}
}

func bitbucketServerRef(repo, branch, sha string) map[string]any {
	return map[string]any{
		"id": "refs/heads/" + branch, "displayId": branch, "latestCommit": sha, "type": "BRANCH",
		"repository": bitbucketServerRepo(repo),
	}
}

// bitbucketServerPullRequest is a pull request as payloads show it.
func bitbucketServerPullRequest(repo string, id int, sha, source, target string) map[string]any {
	return map[string]any{
		"id": id, "version": 0, "title": "Add a feature", "description": "", "state": "OPEN",
		"open": true, "closed": false, "draft": false, "locked": false,
		"createdDate": 1748858280000, "updatedDate": 1748858400000,
		"fromRef":   bitbucketServerRef(repo, source, sha),
		"toRef":     bitbucketServerRef(repo, target, "cde6c45a4210afe81638aa1f3aa960d633c66a90"),
		"author":    map[string]any{"user": bitbucketServerUser("alice"), "role": "AUTHOR", "approved": false, "status": "UNAPPROVED"},
		"reviewers": []any{}, "participants": []any{},
		"links": map[string]any{"self": []map[string]string{{
			"href": bitbucketServerWeb + "/" + bitbucketServerRepoPath(repo) + "/pull-requests/" + strconv.Itoa(id)}}},
	}
}

// BitbucketServerPullRequestEvent is a pull request delivery body of
// eventKey (pr:opened, pr:from_ref_updated, ...) on repo (KEY/slug).
func BitbucketServerPullRequestEvent(eventKey, repo string, id int, sha, source, target string) []byte {
	body, _ := json.Marshal(map[string]any{
		"eventKey": eventKey, "date": "2025-06-02T10:00:00+0000",
		"actor":       bitbucketServerUser("alice"),
		"pullRequest": bitbucketServerPullRequest(repo, id, sha, source, target),
	})
	return body
}

// BitbucketServerPullRequestComment is a pr:comment:added body: author's
// comment on pull request id.
func BitbucketServerPullRequestComment(repo string, id int, sha, source, target, author, text string) []byte {
	body, _ := json.Marshal(map[string]any{
		"eventKey": "pr:comment:added", "date": "2025-06-02T10:05:00+0000",
		"actor":       bitbucketServerUser(author),
		"pullRequest": bitbucketServerPullRequest(repo, id, sha, source, target),
		"comment": map[string]any{
			"properties": map[string]any{"repositoryId": 4}, "id": 168, "version": 0, "text": text,
			"author": bitbucketServerUser(author), "createdDate": 1748858700000, "updatedDate": 1748858700000,
			"comments": []any{}, "tasks": []any{}, "severity": "NORMAL", "state": "OPEN",
		},
		"commentParentId": nil,
	})
	return body
}
