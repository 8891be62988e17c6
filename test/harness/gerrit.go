package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// gerritWeb is where the Gerrit of the payloads lives.
const gerritWeb = "https://review.example.com"

// gerritMagic is the line Gerrit puts before every JSON answer.
const gerritMagic = ")]}'\n"

// GerritReview is a review (message and votes) as Gerrit's API took it.
type GerritReview struct {
	// Change is project~number, unescaped; Revision the patch set's SHA.
	Change   string         `json:"-"`
	Revision string         `json:"-"`
	User     string         `json:"-"`
	Message  string         `json:"message"`
	Labels   map[string]int `json:"labels"`
	Tag      string         `json:"tag"`
}

// Job reads the job context and state from a status review's message
// ("Job unit: SUCCESS - ..."); ok is false for other messages.
func (r GerritReview) Job() (context, state string, ok bool) {
	line, _, _ := strings.Cut(r.Message, "\n")
	rest, ok := strings.CutPrefix(line, "Job ")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndex(rest, ": ")
	if i < 0 {
		return "", "", false
	}
	state, _, _ = strings.Cut(rest[i+2:], " ")
	return rest[:i], state, true
}

// GerritJob is one job's line in a verdict review.
type GerritJob struct{ Context, State string }

// Verdict reads a verdict review's message ("fresnel: FAILURE, 1 of 2
// jobs failed." then a "* unit: SUCCESS - ..." line per job): its state
// and its jobs; ok is false for other messages.
func (r GerritReview) Verdict() (state string, jobs []GerritJob, ok bool) {
	lines := strings.Split(r.Message, "\n")
	rest, ok := strings.CutPrefix(lines[0], "fresnel: ")
	if !ok {
		return "", nil, false
	}
	state, _, _ = strings.Cut(rest, ",")
	for _, line := range lines[1:] {
		item, isJob := strings.CutPrefix(line, "* ")
		i := strings.LastIndex(item, ": ")
		if !isJob || i < 0 {
			continue
		}
		jobState, _, _ := strings.Cut(item[i+2:], " ")
		jobs = append(jobs, GerritJob{Context: item[:i], State: jobState})
	}
	return state, jobs, true
}

// NewFakeGerrit answers the Gerrit REST calls fresnel makes, authenticated
// (/a/), each answer behind Gerrit's )]}' line: reviews (plain messages
// kept as the change's comments, see Comments), group members (see
// SetMembers) and hashtags.
func NewFakeGerrit() *FakeSCM {
	f := NewFakeSCM()
	f.Handle("POST /a/changes/{id}/revisions/{rev}/review", func(w http.ResponseWriter, r *http.Request) {
		var in GerritReview
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		if _, _, isStatus := in.Job(); !isStatus && in.Message != "" {
			// A plain review message is a comment on the change.
			project, number := gerritChangeID(r)
			user, _, _ := r.BasicAuth()
			f.addComment(project, number, user, in.Message)
		}
		out := map[string]any{}
		if len(in.Labels) > 0 {
			out["labels"] = in.Labels
		}
		gerritReply(w, out)
	})
	f.Handle("GET /a/changes/{id}", func(w http.ResponseWriter, r *http.Request) {
		project, number := gerritChangeID(r)
		gerritReply(w, f.gerritChangeInfo(project+"~"+strconv.Itoa(number)))
	})
	gerritRoles(f)
	return f
}

// gerritChangeInfo is a change as GET /a/changes/{id}?o=MESSAGES&o=ALL_REVISIONS
// shows it: the revisions reviewed, numbered in the order they were first
// reviewed, and a message per review, the votes before its text as Gerrit
// writes them.
func (f *FakeSCM) gerritChangeInfo(change string) map[string]any {
	numbers := map[string]int{}
	revisions := map[string]any{}
	messages := []map[string]any{}
	for i, r := range f.GerritReviews() {
		if r.Change != change {
			continue
		}
		if numbers[r.Revision] == 0 {
			numbers[r.Revision] = len(numbers) + 1
			revisions[r.Revision] = map[string]any{"_number": numbers[r.Revision], "kind": "REWORK"}
		}
		head := "Patch Set " + strconv.Itoa(numbers[r.Revision]) + ":"
		for label, v := range r.Labels {
			head += fmt.Sprintf(" %s%+d", label, v)
		}
		messages = append(messages, map[string]any{
			"id": fmt.Sprintf("m%d", i), "tag": r.Tag, "message": head + "\n\n" + r.Message,
			"_revision_number": numbers[r.Revision], "author": map[string]any{"username": r.User},
		})
	}
	return map[string]any{"id": change, "revisions": revisions, "messages": messages}
}

func gerritReply(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = io.WriteString(w, gerritMagic+string(body)+"\n")
}

// GerritChange registers the files of a revision of change number of
// project: GET .../revisions/{rev}/files/, magic files included.
func (f *FakeSCM) GerritChange(project string, number int, revision string, files []string) {
	id := url.PathEscape(project) + "~" + strconv.Itoa(number)
	list := map[string]any{"/COMMIT_MSG": map[string]any{"status": "A", "lines_inserted": 9, "size_delta": 412, "size": 412}}
	for _, name := range files {
		list[name] = map[string]any{"lines_inserted": 3, "lines_deleted": 1, "size_delta": 120, "size": 2048}
	}
	f.Handle("GET /a/changes/"+id+"/revisions/"+revision+"/files/", func(w http.ResponseWriter, _ *http.Request) {
		gerritReply(w, list)
	})
}

// GerritReviews returns the reviews received, in order.
func (f *FakeSCM) GerritReviews() []GerritReview {
	var out []GerritReview
	for _, c := range f.Calls(http.MethodPost, "/a/changes/") {
		var id, rev string
		rest := strings.ReplaceAll(strings.TrimPrefix(c.Path, "/a/changes/"), "/", " ")
		if _, err := fmt.Sscanf(rest, "%s revisions %s review", &id, &rev); err != nil {
			continue
		}
		r := GerritReview{Revision: rev}
		_ = json.Unmarshal(c.Body, &r)
		r.Change, _ = url.PathUnescape(id)
		r.User = c.User
		out = append(out, r)
	}
	return out
}

// GerritHookPath is the hook path of a Gerrit instance with the token in
// the query, as the webhooks plugin's remote url carries it.
func GerritHookPath(instance string, token []byte) string {
	return HookPath("gerrit", instance) + "?token=" + url.QueryEscape(string(token))
}

// GerritHeader is the header the webhooks plugin sends.
func GerritHeader() http.Header {
	return http.Header{
		"Content-Type": {"application/json"},
		"User-Agent":   {"Apache-HttpClient/4.5.14 (Java/17.0.15)"},
	}
}

func gerritAccount(username string) map[string]any {
	return map[string]any{"name": username, "email": username + "@example.com", "username": username}
}

// gerritPatchSet is patch set ps of change number at revision.
func gerritPatchSet(number, ps int, revision string) map[string]any {
	return map[string]any{
		"number": ps, "revision": revision, "parents": []string{"be68d899017ff0d79aa7bc9167381dba131342e0"},
		"ref":      fmt.Sprintf("refs/changes/%02d/%d/%d", number%100, number, ps),
		"uploader": gerritAccount("alice"), "author": gerritAccount("alice"),
		"createdOn": 1748858280, "kind": "REWORK", "sizeInsertions": 17, "sizeDeletions": -2,
	}
}

func gerritChange(project string, number int, branch string) map[string]any {
	changeID := fmt.Sprintf("I%040d", number)
	return map[string]any{
		"project": project, "branch": branch, "id": changeID, "number": number, "subject": "Add a feature",
		"owner": gerritAccount("alice"), "url": gerritWeb + "/c/" + project + "/+/" + strconv.Itoa(number),
		"commitMessage": "Add a feature\n\nChange-Id: " + changeID + "\n", "createdOn": 1748858280, "status": "NEW",
	}
}

// gerritEvent is a stream event of a change, as the webhooks plugin posts
// it (Gerrit 3.x form: numbers as ints, top-level project and refName).
// eventCreatedOn is now, so two builds of one event are two deliveries,
// as on a real Gerrit; resend the same bytes to redeliver.
func gerritEvent(kind, project string, number, ps int, revision, branch string) map[string]any {
	return map[string]any{
		"type": kind, "project": project, "refName": "refs/heads/" + branch,
		"change":         gerritChange(project, number, branch),
		"patchSet":       gerritPatchSet(number, ps, revision),
		"changeKey":      map[string]string{"id": fmt.Sprintf("I%040d", number)},
		"eventCreatedOn": time.Now().Unix(),
	}
}

// GerritPatchsetCreated is a patchset-created event: patch set ps of
// change number of project, at revision, for branch.
func GerritPatchsetCreated(project string, number, ps int, revision, branch string) []byte {
	ev := gerritEvent("patchset-created", project, number, ps, revision, branch)
	ev["uploader"] = gerritAccount("alice")
	body, _ := json.Marshal(ev)
	return body
}

// GerritCommentAdded is a comment-added event: author's review message
// on patch set ps, with Gerrit's "Patch Set N:" line before it.
func GerritCommentAdded(project string, number, ps int, revision, branch, author, text string) []byte {
	ev := gerritEvent("comment-added", project, number, ps, revision, branch)
	ev["author"] = gerritAccount(author)
	ev["comment"] = fmt.Sprintf("Patch Set %d:\n\n%s", ps, text)
	ev["approvals"] = []map[string]string{{"type": "Code-Review", "description": "Code-Review", "value": "0"}}
	body, _ := json.Marshal(ev)
	return body
}
