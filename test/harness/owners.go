package harness

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// GitLabFiles makes the stand-in answer GitLab's repository files API for
// project at ref, as GitLab does: GET
// /api/v4/projects/{project}/repository/files/{path}?ref={ref} gives the
// file as an object with its content in base64; another path or ref gets
// GitLab's 404. files maps each path to its content. Call it once.
func (f *FakeSCM) GitLabFiles(project, ref string, files map[string]string) {
	f.Handle("GET /api/v4/projects/{project}/repository/files/{path}", func(w http.ResponseWriter, r *http.Request) {
		p, q := r.PathValue("path"), r.URL.Query().Get("ref")
		content, ok := files[p]
		if r.PathValue("project") != project || q != ref || !ok {
			reply(w, http.StatusNotFound, map[string]string{"message": "404 File Not Found"})
			return
		}
		reply(w, http.StatusOK, map[string]any{
			"file_name": p[strings.LastIndex(p, "/")+1:], "file_path": p, "size": len(content),
			"encoding": "base64", "content": base64.StdEncoding.EncodeToString([]byte(content)),
			"content_sha256": "4c294617b60715c1d218e61164a3abd4808a4284cbc30e6728a01ad9aada4481",
			"ref":            ref, "blob_id": "79f7bbd25901e8334750839545a9bd021f0e4c83",
			"commit_id": "d5a3ff139356ce33e37e73add446f16869741b50", "last_commit_id": "570e7b2abdd848b95f2f578043fc23bd6f6fd24d",
			"execute_filemode": false,
		})
	})
}

// BitbucketCloudSource makes the stand-in answer Bitbucket Cloud's src API
// for repo (workspace/slug) at commit, as Bitbucket does: GET
// /2.0/repositories/{workspace}/{slug}/src/{commit}/{path} gives the raw
// file; another path or commit gets Bitbucket's 404. files maps each path
// to its content. Call it once.
func (f *FakeSCM) BitbucketCloudSource(repo, commit string, files map[string]string) {
	f.Handle("GET /2.0/repositories/{workspace}/{slug}/src/{commit}/{path...}", func(w http.ResponseWriter, r *http.Request) {
		p := r.PathValue("path")
		content, ok := files[p]
		if r.PathValue("workspace")+"/"+r.PathValue("slug") != repo || r.PathValue("commit") != commit || !ok {
			reply(w, http.StatusNotFound, bitbucketCloudError("No such file or directory: "+p))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, content)
	})
}

// GerritFiles makes the stand-in answer Gerrit's file content API for
// project on branch, as Gerrit does: GET
// /a/projects/{project}/branches/{branch}/files/{path}/content gives the
// file as base64 text; another path or branch gets Gerrit's 404. files
// maps each path to its content. Call it once.
func (f *FakeSCM) GerritFiles(project, branch string, files map[string]string) {
	f.Handle("GET /a/projects/{project}/branches/{branch}/files/{path}/content", func(w http.ResponseWriter, r *http.Request) {
		p := r.PathValue("path")
		content, ok := files[p]
		if r.PathValue("project") != project || r.PathValue("branch") != branch || !ok {
			w.Header().Set("Content-Type", "text/plain;charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "Not found: "+p+"\n")
			return
		}
		w.Header().Set("Content-Type", "text/plain;charset=ISO-8859-1")
		w.Header().Set("X-FYI-Content-Encoding", "base64")
		w.Header().Set("X-FYI-Content-Type", "text/plain")
		_, _ = io.WriteString(w, base64.StdEncoding.EncodeToString([]byte(content)))
	})
}

// GerritVotes are the votes on one change that a Gerrit stand-in serves
// through GET /a/changes/{project~number}/detail.
type GerritVotes struct {
	mu sync.Mutex
	// votes maps each label to each user's value.
	votes map[string]map[string]int
}

// GerritChangeVotes registers the detail of change number of project,
// with the votes the returned GerritVotes holds (none at first), in
// ChangeInfo's shape: each label's "all" lists every reviewer's vote.
// Call it once per stand-in.
func (f *FakeSCM) GerritChangeVotes(project string, number int) *GerritVotes {
	v := &GerritVotes{votes: map[string]map[string]int{}}
	f.Handle("GET /a/changes/{id}/detail", func(w http.ResponseWriter, r *http.Request) {
		p, n := gerritChangeID(r)
		if p != project || n != number {
			w.Header().Set("Content-Type", "text/plain;charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "Not found: "+r.PathValue("id")+"\n")
			return
		}
		gerritReply(w, v.changeInfo(project, number))
	})
	return v
}

// Vote sets user's vote on label; 0 withdraws it (the reviewer stays,
// with no score, as on Gerrit).
func (v *GerritVotes) Vote(label, user string, value int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.votes[label] == nil {
		v.votes[label] = map[string]int{}
	}
	v.votes[label][user] = value
}

func (v *GerritVotes) changeInfo(project string, number int) map[string]any {
	v.mu.Lock()
	defer v.mu.Unlock()
	labels := map[string]any{}
	for label, byUser := range v.votes {
		all := []any{}
		users := make([]string, 0, len(byUser))
		for u := range byUser {
			users = append(users, u)
		}
		slices.Sort(users)
		for i, u := range users {
			account := gerritAccount(u)
			account["_account_id"], account["value"] = 1000100+i, byUser[u]
			all = append(all, account)
		}
		labels[label] = map[string]any{"all": all, "values": map[string]string{
			"-2": "This shall not be merged", "-1": "I would prefer this is not merged as is", " 0": "No score",
			"+1": "Looks good to me, but someone else must approve", "+2": "Looks good to me, approved"}}
	}
	changeID := fmt.Sprintf("I%040d", number)
	return map[string]any{
		"id": strings.ReplaceAll(project, "/", "%2F") + "~main~" + changeID, "project": project, "branch": "main",
		"change_id": changeID, "subject": "Add a feature", "status": "NEW", "_number": number,
		"created": "2025-06-02 09:58:00.000000000", "updated": "2025-06-02 10:05:00.000000000",
		"owner":  map[string]any{"_account_id": 1000096, "name": "alice", "email": "alice@example.com", "username": "alice"},
		"labels": labels, "removable_reviewers": []any{}, "reviewers": map[string]any{}, "messages": []any{},
	}
}

// GerritVoteAdded is the comment-added event of author's vote of value on
// label of patch set ps, as Gerrit sends it: the vote in approvals (with
// the value old it had before) and "Patch Set N: Label+V" as the comment.
func GerritVoteAdded(project string, number, ps int, revision, branch, author, label string, value, old int) []byte {
	ev := gerritEvent("comment-added", project, number, ps, revision, branch)
	ev["author"] = gerritAccount(author)
	ev["comment"] = fmt.Sprintf("Patch Set %d: %s", ps, voteText(label, value))
	ev["approvals"] = []map[string]string{{"type": label, "description": label, "value": strconv.Itoa(value), "oldValue": strconv.Itoa(old)}}
	body, _ := json.Marshal(ev)
	return body
}

// voteText writes a vote as Gerrit's messages do: Code-Review+2,
// Code-Review-1, and -Code-Review for a vote removed.
func voteText(label string, v int) string {
	switch {
	case v > 0:
		return label + "+" + strconv.Itoa(v)
	case v < 0:
		return label + strconv.Itoa(v)
	}
	return "-" + label
}
