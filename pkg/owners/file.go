package owners

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// File names fresnel reads, as Prow names them.
const (
	OwnersFile  = "OWNERS"
	AliasesFile = "OWNERS_ALIASES"
)

// Options are the options: block of an OWNERS file.
type Options struct {
	// NoParentOwners stops the approvers of parent directories from
	// approving files below this one.
	NoParentOwners bool `json:"no_parent_owners,omitempty"`
	// AutoApproveUnownedSubfolders approves files in subdirectories that
	// have no OWNERS file of their own without asking anyone.
	AutoApproveUnownedSubfolders bool `json:"auto_approve_unowned_subfolders,omitempty"`
}

// people are the lists an OWNERS file (or one of its filters) names.
type people struct {
	Approvers         []string `json:"approvers,omitempty"`
	Reviewers         []string `json:"reviewers,omitempty"`
	RequiredReviewers []string `json:"required_reviewers,omitempty"`
	Labels            []string `json:"labels,omitempty"`
	// EmeritusApprovers are read and kept out of every decision, as
	// Prow keeps them.
	EmeritusApprovers []string `json:"emeritus_approvers,omitempty"`
}

func (p people) empty() bool {
	return len(p.Approvers) == 0 && len(p.Reviewers) == 0 && len(p.RequiredReviewers) == 0 && len(p.Labels) == 0
}

// simpleFile is an OWNERS file with its lists at the top level.
type simpleFile struct {
	Options Options `json:"options,omitempty"`
	people
}

// anyFile holds every key an OWNERS file may have, to name the others.
type anyFile struct {
	Options Options           `json:"options,omitempty"`
	Filters map[string]people `json:"filters,omitempty"`
	people
}

// fullFile is an OWNERS file whose lists are keyed by a regexp on file
// names, relative to the OWNERS file's directory.
type fullFile struct {
	Options Options           `json:"options,omitempty"`
	Filters map[string]people `json:"filters,omitempty"`
}

// rule is one set of owners of a directory: all of its files (re nil) or
// those whose path below the directory matches re.
type rule struct {
	pattern   string
	re        *regexp.Regexp
	approvers set
	reviewers set
	labels    set
}

// matches says whether the rule covers rel, a path relative to its
// directory.
func (r rule) matches(rel string) bool {
	return r.re == nil || r.re.MatchString(rel)
}

// dirConfig is what one OWNERS file says about its directory.
type dirConfig struct {
	options Options
	rules   []rule
}

// Problem is something wrong in one OWNERS or OWNERS_ALIASES file.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"` // 0 when no line is known
	Message string `json:"message"`
}

// String is FILE:LINE: MESSAGE.
func (p Problem) String() string {
	if p.Line <= 0 {
		return p.File + ": " + p.Message
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Message
}

// MalformedError reports the OWNERS files that cannot be read at all
// (Prow cannot read them either).
type MalformedError struct {
	Problems []Problem
}

func (e *MalformedError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return "owners: malformed: " + strings.Join(msgs, "; ")
}

// parseOwners reads one OWNERS file as Prow does: first as a simple file;
// if that fails or names nobody, as a file of filters. It returns the
// problems Prow passes over in silence as warnings, and an error only when
// neither shape fits.
func parseOwners(name string, data []byte, aliases aliasMap) (*dirConfig, []Problem, error) {
	var simple simpleFile
	simpleErr := yaml.Unmarshal(data, &simple)
	var full fullFile
	fullErr := yaml.Unmarshal(data, &full)
	var warns []Problem
	if simpleErr == nil && !simple.empty() {
		if len(full.Filters) > 0 {
			warns = append(warns, problemAtKey(name, data, "filters",
				"filters are ignored because the file also lists owners at the top level"))
		}
		warns = append(warns, strictWarnings(name, data)...)
		cfg := &dirConfig{options: simple.Options}
		cfg.rules = []rule{newRule("", nil, simple.people, aliases)}
		return cfg, warns, nil
	}
	if fullErr != nil {
		p := problemFromError(name, data, fullErr)
		return nil, nil, &MalformedError{Problems: []Problem{p}}
	}
	if simpleErr != nil {
		p := problemFromError(name, data, simpleErr)
		p.Message = "ignored, as Prow ignores it: " + p.Message
		warns = append(warns, p)
	} else {
		warns = append(warns, strictWarnings(name, data)...)
	}
	cfg, filterWarns := fullConfig(name, data, full, aliases)
	return cfg, append(warns, filterWarns...), nil
}

// fullConfig turns the filters of a file into rules; a filter whose
// regexp does not compile is left out with a warning, as Prow leaves it.
func fullConfig(name string, data []byte, full fullFile, aliases aliasMap) (*dirConfig, []Problem) {
	cfg := &dirConfig{options: full.Options}
	var warns []Problem
	for _, pattern := range sortedKeys(full.Filters) {
		var re *regexp.Regexp
		if pattern != ".*" {
			var err error
			if re, err = regexp.Compile(pattern); err != nil {
				warns = append(warns, problemAtKey(name, data, pattern,
					fmt.Sprintf("filter %q is ignored: %v", pattern, err)))
				continue
			}
		}
		cfg.rules = append(cfg.rules, newRule(pattern, re, full.Filters[pattern], aliases))
	}
	return cfg, warns
}

func newRule(pattern string, re *regexp.Regexp, p people, aliases aliasMap) rule {
	return rule{
		pattern:   pattern,
		re:        re,
		approvers: aliases.expand(normLogins(p.Approvers)),
		reviewers: aliases.expand(normLogins(p.Reviewers)),
		labels:    newSet(p.Labels...),
	}
}

// strictWarnings names keys fresnel and Prow do not know (a typo such as
// "approver:") and keys given twice.
func strictWarnings(name string, data []byte) []Problem {
	err := yaml.UnmarshalStrict(data, &anyFile{})
	if err == nil {
		return nil
	}
	p := problemFromError(name, data, err)
	p.Message = "ignored, as Prow ignores it: " + p.Message
	return []Problem{p}
}

// aliasMap maps an alias (lower case) to the logins it stands for.
type aliasMap map[string]set

// parseAliases reads an OWNERS_ALIASES file.
func parseAliases(name string, data []byte) (aliasMap, error) {
	var doc struct {
		Aliases map[string][]string `json:"aliases,omitempty"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &MalformedError{Problems: []Problem{problemFromError(name, data, err)}}
	}
	m := aliasMap{}
	for alias, logins := range doc.Aliases {
		m[normLogin(alias)] = normLogins(logins)
	}
	return m, nil
}

// expand replaces each alias among logins with the logins it names; an
// alias is not expanded again inside another.
func (a aliasMap) expand(logins set) set {
	if a == nil {
		return logins
	}
	out := set{}
	for login := range logins {
		if members, ok := a[login]; ok {
			out.addAll(members)
			continue
		}
		out.add(login)
	}
	return out
}

// normLogin is a login as compared: lower case, without a leading @.
func normLogin(login string) string {
	return strings.TrimPrefix(strings.ToLower(login), "@")
}

func normLogins(logins []string) set {
	s := set{}
	for _, l := range logins {
		s.add(normLogin(l))
	}
	return s
}

var yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)

// problemFromError places a YAML or decoding error on its line: the parser
// names the line; a type error names the key, which is looked up.
func problemFromError(name string, data []byte, err error) Problem {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: name, Line: line, Message: m[2]}
	}
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: while decoding JSON: ")
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		key := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		return problemAtKey(name, data, key, fmt.Sprintf("%s: want %s, found a YAML %s", key, typeErr.Type, typeErr.Value))
	}
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		return problemAtKey(name, data, m[1], "unknown key "+strconv.Quote(m[1]))
	}
	return Problem{File: name, Line: 1, Message: msg}
}

var unknownFieldRe = regexp.MustCompile(`unknown field "([^"]*)"`)

// problemAtKey is a problem on the first line where key appears as a
// mapping key, else on line 1.
func problemAtKey(name string, data []byte, key, msg string) Problem {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		t = strings.TrimSpace(strings.TrimPrefix(t, "-"))
		for _, quoted := range []string{key, `"` + key + `"`, "'" + key + "'"} {
			if strings.HasPrefix(t, quoted+":") {
				return Problem{File: name, Line: i + 1, Message: msg}
			}
		}
	}
	return Problem{File: name, Line: 1, Message: msg}
}
