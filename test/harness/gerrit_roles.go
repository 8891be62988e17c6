package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// gerritRoles adds the group and hashtag calls to a Gerrit stand-in,
// answered from its state in Gerrit's shapes: a group's members are those
// SetMembers gave it (DefaultMembers until a test sets any), and a
// change's labels are its hashtags.
func gerritRoles(f *FakeSCM) {
	f.Handle("GET /a/groups/{group}/members/", func(w http.ResponseWriter, r *http.Request) {
		users, known := f.membersOf(r.PathValue("group"))
		if !known {
			w.Header().Set("Content-Type", "text/plain;charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "Not found: "+r.PathValue("group")+"\n")
			return
		}
		members := []any{}
		for i, u := range users {
			account := gerritAccount(u)
			account["_account_id"] = 1000000 + i
			members = append(members, account)
		}
		gerritReply(w, members)
	})
	f.Handle("GET /a/changes/{id}/hashtags", func(w http.ResponseWriter, r *http.Request) {
		project, number := gerritChangeID(r)
		gerritReply(w, nonNil(f.Labels(project, number)))
	})
	f.Handle("POST /a/changes/{id}/hashtags", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Add    []string `json:"add"`
			Remove []string `json:"remove"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, "Invalid input", http.StatusBadRequest)
			return
		}
		project, number := gerritChangeID(r)
		f.addLabels(project, number, in.Add...)
		for _, tag := range in.Remove {
			f.removeLabel(project, number, tag)
		}
		gerritReply(w, nonNil(f.Labels(project, number)))
	})
}

// gerritChangeID reads project~number from a request's path.
func gerritChangeID(r *http.Request) (string, int) {
	id := r.PathValue("id")
	i := strings.LastIndex(id, "~")
	if i < 0 {
		return "", 0
	}
	n, _ := strconv.Atoi(id[i+1:])
	return id[:i], n
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
