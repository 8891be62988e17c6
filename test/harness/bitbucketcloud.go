package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fresnel-ci/fresnel/providers"
)

// bitbucketWeb is where the Bitbucket Cloud of the payloads lives.
const bitbucketWeb = "https://bitbucket.org"

// BitbucketStatus is a build status as Bitbucket (Cloud or Data Center)
// takes it.
type BitbucketStatus struct {
	// Repo is workspace/slug for Bitbucket Cloud; Data Center's commit-wide
	// build-status call names no repository.
	Repo        string `json:"-"`
	SHA         string `json:"-"`
	Key         string `json:"key"`
	State       string `json:"state"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	Description string `json:"description"`
}

// BitbucketComment is a pull request comment as Bitbucket received it.
type BitbucketComment struct {
	Repo   string
	Number int
	Text   string
}

// NewFakeBitbucketCloud answers the Bitbucket Cloud 2.0 API calls fresnel
// makes, in Bitbucket's response shapes: build statuses, pull request
// comments (kept, listed, edited and deleted), workspace members and
// repository permissions (see SetMembers; users by account id).
func NewFakeBitbucketCloud() *FakeSCM {
	f := NewFakeSCM()
	f.Handle("POST /2.0/repositories/{workspace}/{slug}/commit/{sha}/statuses/build", func(w http.ResponseWriter, r *http.Request) {
		var s BitbucketStatus
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &s)
		self := f.URL + r.URL.Path
		reply(w, http.StatusCreated, map[string]any{
			"type": "commitstatus", "key": s.Key, "state": s.State, "name": s.Name, "description": s.Description,
			"url": s.URL, "refname": nil, "created_on": "2025-06-02T10:00:00.000000+00:00", "updated_on": "2025-06-02T10:00:00.000000+00:00",
			"commit": map[string]any{"type": "commit", "hash": r.PathValue("sha")},
			"links":  map[string]any{"self": map[string]string{"href": self + "/" + s.Key}},
		})
	})
	f.state.nextID = 5001
	bitbucketCloudRoles(f)
	return f
}

// BitbucketCloudPullRequest registers GET answers for pull request id of
// repo (workspace/slug): the pull request and its diffstat.
func (f *FakeSCM) BitbucketCloudPullRequest(repo string, id int, hash, source, dest string, files []string) {
	base := "/2.0/repositories/" + repo + "/pullrequests/" + strconv.Itoa(id)
	pr := bitbucketCloudPullRequest(repo, id, hash, source, dest)
	pr["links"] = map[string]any{
		"self":     map[string]string{"href": f.URL + base},
		"html":     map[string]string{"href": bitbucketWeb + "/" + repo + "/pull-requests/" + strconv.Itoa(id)},
		"diffstat": map[string]string{"href": f.URL + base + "/diffstat"},
	}
	prJSON, _ := json.Marshal(pr)
	f.JSON("GET "+base, http.StatusOK, string(prJSON))
	values := make([]map[string]any, 0, len(files))
	for _, name := range files {
		file := map[string]any{"path": name, "type": "commit_file", "escaped_path": name}
		values = append(values, map[string]any{
			"type": "diffstat", "status": "modified", "lines_added": 1, "lines_removed": 1, "old": file, "new": file,
		})
	}
	stat, _ := json.Marshal(map[string]any{"pagelen": 100, "values": values, "page": 1, "size": len(values)})
	f.JSON("GET "+base+"/diffstat", http.StatusOK, string(stat))
}

// BitbucketCloudStatuses returns the build statuses received, in order.
func (f *FakeSCM) BitbucketCloudStatuses() []BitbucketStatus {
	var out []BitbucketStatus
	for _, c := range f.Calls(http.MethodPost, "/2.0/repositories/") {
		repo, rest, ok := strings.Cut(strings.TrimPrefix(c.Path, "/2.0/repositories/"), "/commit/")
		sha, isStatus := strings.CutSuffix(rest, "/statuses/build")
		if !ok || !isStatus {
			continue
		}
		s := BitbucketStatus{Repo: repo, SHA: sha}
		_ = json.Unmarshal(c.Body, &s)
		out = append(out, s)
	}
	return out
}

// BitbucketCloudComments returns the pull request comments received.
func (f *FakeSCM) BitbucketCloudComments() []BitbucketComment {
	var out []BitbucketComment
	for _, c := range f.Calls(http.MethodPost, "/2.0/repositories/") {
		repo, rest, ok := strings.Cut(strings.TrimPrefix(c.Path, "/2.0/repositories/"), "/pullrequests/")
		var n int
		if _, err := fmt.Sscanf(rest, "%d/comments", &n); !ok || err != nil {
			continue
		}
		var in struct {
			Content struct {
				Raw string `json:"raw"`
			} `json:"content"`
		}
		_ = json.Unmarshal(c.Body, &in)
		out = append(out, BitbucketComment{Repo: repo, Number: n, Text: in.Content.Raw})
	}
	return out
}

// BitbucketCloudHeader is the header of a Bitbucket Cloud delivery signed
// with secret. delivery is X-Request-UUID, which Bitbucket keeps when it
// retries a delivery.
func BitbucketCloudHeader(eventKey, delivery string, secret, body []byte) http.Header {
	return http.Header{
		"Content-Type":     {"application/json"},
		"User-Agent":       {"Bitbucket-Webhooks/2.0"},
		"X-Event-Key":      {eventKey},
		"X-Hook-Uuid":      {"{9f0a6c54-1c52-4a25-8d55-3b2f8cb3a7d1}"},
		"X-Request-Uuid":   {delivery},
		"X-Attempt-Number": {"1"},
		"X-Hub-Signature":  {providers.SignSHA256(secret, body)},
	}
}

func bitbucketCloudUser(nickname string) map[string]any {
	return map[string]any{
		"type": "user", "display_name": nickname, "nickname": nickname, "account_id": "557058:" + nickname,
		"uuid":  "{d301aafa-d676-4ee0-88be-962be7417567}",
		"links": map[string]any{"avatar": map[string]string{"href": "https://avatar-management.example.com/" + nickname}},
	}
}

// bitbucketCloudRepo is a repository (workspace/slug) as payloads show it.
func bitbucketCloudRepo(fullName string) map[string]any {
	workspace, slug, _ := strings.Cut(fullName, "/")
	return map[string]any{
		"type": "repository", "full_name": fullName, "name": slug, "is_private": true, "scm": "git",
		"uuid":      "{673a6070-3421-46c9-9d48-90745f7bfe8e}",
		"workspace": map[string]any{"type": "workspace", "slug": workspace, "name": workspace},
		"links": map[string]any{
			"self": map[string]string{"href": "https://api.bitbucket.org/2.0/repositories/" + fullName},
			"html": map[string]string{"href": bitbucketWeb + "/" + fullName},
		},
	}
}

func bitbucketCloudEnd(repo, branch, hash string) map[string]any {
	return map[string]any{
		"branch":     map[string]string{"name": branch},
		"commit":     map[string]any{"type": "commit", "hash": hash},
		"repository": bitbucketCloudRepo(repo),
	}
}

// bitbucketCloudPullRequest is a pull request as payloads show it; hash
// is the source commit, 12 characters as Bitbucket abbreviates it.
func bitbucketCloudPullRequest(repo string, id int, hash, source, dest string) map[string]any {
	return map[string]any{
		"type": "pullrequest", "id": id, "title": "Add a feature", "description": "", "state": "OPEN", "draft": false,
		"author":       bitbucketCloudUser("alice"),
		"source":       bitbucketCloudEnd(repo, source, hash),
		"destination":  bitbucketCloudEnd(repo, dest, "ce5965ddd289"),
		"merge_commit": nil, "comment_count": 0, "task_count": 0, "close_source_branch": false, "closed_by": nil,
		"reason": "", "participants": []any{}, "reviewers": []any{},
		"created_on": "2025-06-02T09:58:00.000000+00:00", "updated_on": "2025-06-02T10:00:00.000000+00:00",
		"links": map[string]any{
			"self": map[string]string{"href": "https://api.bitbucket.org/2.0/repositories/" + repo + "/pullrequests/" + strconv.Itoa(id)},
			"html": map[string]string{"href": bitbucketWeb + "/" + repo + "/pull-requests/" + strconv.Itoa(id)},
		},
	}
}

// BitbucketCloudPullRequestEvent is a pullrequest:created (or :updated, the
// same shape) body.
func BitbucketCloudPullRequestEvent(repo string, id int, hash, source, dest string) []byte {
	body, _ := json.Marshal(map[string]any{
		"actor":       bitbucketCloudUser("alice"),
		"pullrequest": bitbucketCloudPullRequest(repo, id, hash, source, dest),
		"repository":  bitbucketCloudRepo(repo),
	})
	return body
}

// BitbucketCloudPullRequestComment is a pullrequest:comment_created body:
// author's comment on pull request id.
func BitbucketCloudPullRequestComment(repo string, id int, hash, source, dest, author, text string) []byte {
	body, _ := json.Marshal(map[string]any{
		"actor":       bitbucketCloudUser(author),
		"pullrequest": bitbucketCloudPullRequest(repo, id, hash, source, dest),
		"repository":  bitbucketCloudRepo(repo),
		"comment": map[string]any{
			"type": "pullrequest_comment", "id": 17, "deleted": false, "pending": false,
			"content":    map[string]any{"type": "rendered", "raw": text, "markup": "markdown", "html": "<p>" + text + "</p>"},
			"user":       bitbucketCloudUser(author),
			"created_on": "2025-06-02T10:05:00.000000+00:00", "updated_on": "2025-06-02T10:05:00.000000+00:00",
			"links": map[string]any{"html": map[string]string{
				"href": bitbucketWeb + "/" + repo + "/pull-requests/" + strconv.Itoa(id) + "#comment-17"}},
		},
	})
	return body
}
