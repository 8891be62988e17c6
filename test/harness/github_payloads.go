package harness

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/fresnel-ci/fresnel/providers"
)

// GitHubHeader is the header of a signed GitHub delivery.
func GitHubHeader(event, delivery string, secret, body []byte) http.Header {
	return http.Header{
		"Content-Type":        {"application/json"},
		"X-Github-Event":      {event},
		"X-Github-Delivery":   {delivery},
		"X-Hub-Signature-256": {providers.SignSHA256(secret, body)},
		"User-Agent":          {"GitHub-Hookshot/fresnel-test"},
	}
}

func githubRepo(fullName string) map[string]any {
	owner, name, _ := strings.Cut(fullName, "/")
	return map[string]any{
		"id": 1, "name": name, "full_name": fullName, "private": false, "default_branch": "main",
		"owner":     map[string]any{"login": owner, "id": 2},
		"html_url":  "https://github.com/" + fullName,
		"clone_url": "https://github.com/" + fullName + ".git",
		"ssh_url":   "git@github.com:" + fullName + ".git",
	}
}

// GitHubPullRequestEvent is a pull_request delivery body in GitHub's shape.
func GitHubPullRequestEvent(action, repo string, number int, headSHA, baseRef string) []byte {
	user := map[string]any{"login": "octocat", "id": 3}
	body, _ := json.Marshal(map[string]any{
		"action": action, "number": number,
		"pull_request": map[string]any{
			"number": number, "state": "open", "title": "Add a feature", "body": "", "draft": false,
			"html_url": "https://github.com/" + repo + "/pull/" + strconv.Itoa(number),
			"user":     user,
			"head":     map[string]any{"ref": "feature", "sha": headSHA, "repo": githubRepo(repo), "user": user},
			"base":     map[string]any{"ref": baseRef, "sha": "1111111111111111111111111111111111111111", "repo": githubRepo(repo), "user": user},
			"labels":   []any{},
		},
		"repository": githubRepo(repo),
		"sender":     user,
	})
	return body
}

// GitHubPushEvent is a push delivery body; files are what its one commit touched.
func GitHubPushEvent(repo, ref, after string, files []string) []byte {
	user := map[string]any{"login": "octocat", "id": 3}
	body, _ := json.Marshal(map[string]any{
		"ref": ref, "before": "2222222222222222222222222222222222222222", "after": after,
		"created": false, "deleted": false, "forced": false,
		"compare": "https://github.com/" + repo + "/compare/a...b",
		"commits": []any{map[string]any{"id": after, "message": "change", "added": []string{}, "removed": []string{}, "modified": files}},
		"head_commit": map[string]any{"id": after, "message": "change",
			"author": map[string]any{"name": "Octo", "email": "o@example.com", "username": "octocat"}},
		"repository": githubRepo(repo),
		"pusher":     map[string]any{"name": "octocat"},
		"sender":     user,
	})
	return body
}

// GitHubPullRequestComment is an issue_comment delivery on a pull request.
func GitHubPullRequestComment(repo string, number int, author, text string) []byte {
	user := map[string]any{"login": author, "id": 4}
	body, _ := json.Marshal(map[string]any{
		"action": "created",
		"issue": map[string]any{
			"number": number, "title": "Add a feature", "state": "open", "user": map[string]any{"login": "octocat"},
			"html_url":     "https://github.com/" + repo + "/pull/" + strconv.Itoa(number),
			"pull_request": map[string]any{"url": "https://api.github.com/repos/" + repo + "/pulls/" + strconv.Itoa(number), "html_url": "https://github.com/" + repo + "/pull/" + strconv.Itoa(number)},
		},
		"comment":    map[string]any{"id": 99, "body": text, "user": user},
		"repository": githubRepo(repo),
		"sender":     user,
	})
	return body
}

// GitHubCheckRunRerequested is a check_run rerequested delivery to App
// app: someone pressed "Re-run" on check run name of pull request number,
// whose external_id fresnel set.
func GitHubCheckRunRerequested(repo string, number int, name, externalID, headSHA string, app int64, sender string) []byte {
	pr := map[string]any{"number": number, "head": map[string]any{"ref": "feature", "sha": headSHA}, "base": map[string]any{"ref": "main"}}
	appJSON := map[string]any{"id": app, "slug": "fresnel-ci"}
	body, _ := json.Marshal(map[string]any{
		"action": "rerequested",
		"check_run": map[string]any{
			"id": 24681357999, "name": name, "head_sha": headSHA, "external_id": externalID,
			"status": "completed", "conclusion": "failure", "app": appJSON, "pull_requests": []any{pr},
			"check_suite": map[string]any{"id": 23456789012, "head_sha": headSHA, "head_branch": "feature", "app": appJSON, "pull_requests": []any{pr}},
		},
		"repository":   githubRepo(repo),
		"sender":       map[string]any{"login": sender, "id": 5, "type": "User"},
		"installation": map[string]any{"id": 77},
	})
	return body
}
