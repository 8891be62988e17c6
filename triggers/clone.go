package triggers

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// CodeRoot is the GOPATH of decorated jobs: repositories are cloned under
// its src directory, where Prow's clonerefs puts them.
const CodeRoot = "/home/prow/go"

// defaultHost is the host in a clone path when a repository has no link.
const defaultHost = "github.com"

// CloneDir is where r is cloned under root: root/src/ followed by its
// path_alias, or else its link without the scheme (host/org/repo).
func CloneDir(root string, r Refs) string {
	var rel string
	switch {
	case r.PathAlias != "":
		rel = r.PathAlias
	case r.RepoLink != "":
		_, rest, found := strings.Cut(r.RepoLink, "://")
		if !found {
			rest = r.RepoLink
		}
		rel = strings.TrimSuffix(rest, "/")
	default:
		rel = path.Join(hostOf(r.CloneURI), r.Org, r.Repo)
	}
	return path.Join(root, "src", rel)
}

// hostOf is the host of a clone URL, or the default host.
func hostOf(cloneURI string) string {
	if u, err := url.Parse(cloneURI); err == nil && u.Host != "" {
		return u.Host
	}
	return defaultHost
}

// WorkDir is the working directory of a decorated job that clones refs:
// the clone of the first refs marked workdir, or else of the first refs.
func WorkDir(root string, refs []Refs) string {
	if len(refs) == 0 {
		return ""
	}
	for _, r := range refs {
		if r.WorkDir {
			return CloneDir(root, r)
		}
	}
	return CloneDir(root, refs[0])
}

// cloneURL is what git fetches r from: clone_uri, else the link with .git.
func (r Refs) cloneURL() string {
	switch {
	case r.CloneURI != "":
		return r.CloneURI
	case r.RepoLink != "":
		return strings.TrimSuffix(r.RepoLink, "/") + ".git"
	}
	return fmt.Sprintf("https://%s/%s/%s.git", defaultHost, r.Org, r.Repo)
}

// cloneScriptHead stops at the first failed command, never asks for
// credentials, and retries fetches, which can fail for a moment.
const cloneScriptHead = `set -eu
export GIT_TERMINAL_PROMPT=0
fetch() {
	for delay in 1 2 4 8; do
		if git fetch "$@"; then return 0; fi
		echo "clonerefs: git fetch failed, again in ${delay}s" >&2
		sleep "$delay"
	done
	git fetch "$@"
}
`

// CloneScript returns a POSIX shell script that clones each of refs under
// root/src, in order, as Prow's clonerefs does: the base at its SHA (or
// ref) on a branch named after the base ref, then each pull request merged
// onto it with --no-ff, with commit dates derived from the base commit so
// the merge is the same on every run; then submodules. Every value from
// the configuration or the event is quoted.
func CloneScript(root string, refs []Refs) string {
	var b strings.Builder
	b.WriteString(cloneScriptHead)
	for _, r := range refs {
		writeCloneRefs(&b, root, r)
	}
	return b.String()
}

func writeCloneRefs(b *strings.Builder, root string, r Refs) {
	dir, src := shellQuote(CloneDir(root, r)), shellQuote(r.cloneURL())
	line := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	line("echo %s", shellQuote("clonerefs: "+r.Org+"/"+r.Repo+" into "+CloneDir(root, r)))
	line("mkdir -p %s && cd %s", dir, dir)
	line("git init -q")
	line("git config user.name fresnel && git config user.email fresnel@localhost")
	depth := ""
	if r.CloneDepth > 0 {
		depth = "--depth " + strconv.Itoa(r.CloneDepth) + " "
	}
	if !r.SkipFetchHead {
		line("fetch %s%s --tags --prune", depth, src)
	}
	target, want := "FETCH_HEAD", r.BaseRef
	if r.BaseSHA != "" {
		target, want = r.BaseSHA, r.BaseSHA
	}
	line("fetch %s%s %s", depth, src, shellQuote(want))
	line("git checkout -q %s", shellQuote(target))
	if r.BaseRef != "" {
		line("git branch --force %s %s", shellQuote(r.BaseRef), shellQuote(target))
		line("git checkout -q %s", shellQuote(r.BaseRef))
	}
	if len(r.Pulls) > 0 {
		line("ts=$(git show -s --format=%%ct HEAD)")
	}
	for _, p := range r.Pulls {
		writeMerge(line, src, p)
	}
	if !r.SkipSubmodules {
		line("git submodule update --init --recursive")
	}
}

// writeMerge fetches one pull request and merges it, one second after the
// commit before it.
func writeMerge(line func(string, ...any), src string, p Pull) {
	fetchRef, merge := "pull/"+strconv.Itoa(p.Number)+"/head", "FETCH_HEAD"
	if p.SHA != "" {
		fetchRef, merge = p.SHA, p.SHA
	}
	if p.Ref != "" {
		fetchRef = p.Ref
	}
	line("fetch %s %s", src, shellQuote(fetchRef))
	line("ts=$((ts + 1))")
	line(`GIT_AUTHOR_DATE="$ts +0000" GIT_COMMITTER_DATE="$ts +0000" git merge -q --no-ff --no-edit %s`, shellQuote(merge))
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote itself.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
