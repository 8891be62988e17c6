package harness

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path"
	"sort"
	"strings"
)

// GitHubContents makes the stand-in answer GitHub's contents API for repo
// (owner/name) at commit sha, as GitHub does: GET
// /repos/{owner}/{repo}/contents/{path}?ref={sha} gives a file as an
// object with its content in base64, wrapped at 60 columns, and a
// directory as an array of entries; any other path or ref gets 404.
// files maps each path to its content. Call it once per repo.
func (f *FakeSCM) GitHubContents(repo, sha string, files map[string]string) {
	f.Handle("GET /repos/"+repo+"/contents/{path...}", func(w http.ResponseWriter, r *http.Request) {
		p := strings.Trim(r.PathValue("path"), "/")
		content, isFile := files[p]
		names := dirEntries(files, p)
		switch {
		case r.URL.Query().Get("ref") != sha || !isFile && len(names) == 0:
			writeContentsJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content", "status": "404"})
		case isFile:
			entry := contentsEntry(repo, sha, p, "file", len(content))
			entry["content"], entry["encoding"] = wrapBase64(content), "base64"
			writeContentsJSON(w, http.StatusOK, entry)
		default:
			list := []map[string]any{}
			for _, name := range names {
				dir, isDir := strings.CutSuffix(name, "/")
				kind := map[bool]string{true: "dir", false: "file"}[isDir]
				list = append(list, contentsEntry(repo, sha, path.Join(p, dir), kind, len(files[path.Join(p, name)])))
			}
			writeContentsJSON(w, http.StatusOK, list)
		}
	})
}

// dirEntries lists the names directly in dir ("" for the root), each
// subdirectory's ending in "/".
func dirEntries(files map[string]string, dir string) []string {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	seen := map[string]bool{}
	for p := range files {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		name, _, nested := strings.Cut(rest, "/")
		if nested {
			name += "/"
		}
		seen[name] = true
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func contentsEntry(repo, sha, p, kind string, size int) map[string]any {
	self := "https://api.github.com/repos/" + repo + "/contents/" + p + "?ref=" + sha
	return map[string]any{
		"name": path.Base(p), "path": p, "sha": "3d21ec53a331a6f037a91c368710b99387d012c1", "size": size, "type": kind,
		"url": self, "html_url": "https://github.com/" + repo + "/blob/" + sha + "/" + p,
		"_links": map[string]string{"self": self},
	}
}

// wrapBase64 encodes content as GitHub does: base64 in lines of 60.
func wrapBase64(content string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(content))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

func writeContentsJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
