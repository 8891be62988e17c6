package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/owners"
	"github.com/fresnel-ci/fresnel/triggers"
)

const ownersUsage = `usage: fresnel owners --repo DIR --changed-files FILE [--author LOGIN]
         [--approved-by LOGIN,...] [--assignees LOGIN,...] [--pr-number N]
         [--config FILE] [--plugins FILE --org ORG --name REPO]

Reads the OWNERS and OWNERS_ALIASES files of the repository checked out in
DIR and prints, as JSON, what the approve plugin decides for a pull request
that changes the files listed in FILE (one path per line):
  {"approved", "unapproved_files", "approvers": {FILE: [...]}, "suggested_approvers"}
unapproved_files are the OWNERS files still needing an approver, as Prow
lists them. Warnings about keys Prow ignores go to stderr.

  --repo DIR            the checked-out repository
  --changed-files FILE  the changed files, one path per line
  --author LOGIN        the pull request's author (approves implicitly
                        unless require_self_approval)
  --approved-by LIST    logins whose /approve stands, comma-separated
  --assignees LIST      the pull request's assignees, comma-separated
  --pr-number N         the pull request number, which seeds the choice of
                        suggested approvers as in Prow (default 1)
  --config FILE         Prow's config.yaml, for owners_dir_denylist
  --plugins FILE        plugins.yaml, for the approve plugin's
                        require_self_approval of --org/--name
  --org ORG, --name REPO  the repository, to pick its settings

Exit status: 0 with the answer, 1 on a usage error or an unreadable
file, 2 when an OWNERS or OWNERS_ALIASES file is malformed (each named
with FILE:LINE).
`

// Exit codes of owners.
const (
	ownersExitUsage     = ExitCode(1)
	ownersExitMalformed = ExitCode(2)
)

// ownersOptions are the flags of owners.
type ownersOptions struct {
	repo, changedFiles, author string
	approvedBy, assignees      string
	prNumber                   int64
	config, plugins, org, name string
}

// Owners runs "fresnel owners".
func Owners(_ context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("owners", ownersUsage, stdout, stderr)
	var o ownersOptions
	c.flags.StringVar(&o.repo, "repo", "", "")
	c.flags.StringVar(&o.changedFiles, "changed-files", "", "")
	c.flags.StringVar(&o.author, "author", "", "")
	c.flags.StringVar(&o.approvedBy, "approved-by", "", "")
	c.flags.StringVar(&o.assignees, "assignees", "", "")
	c.flags.Int64Var(&o.prNumber, "pr-number", 1, "")
	c.flags.StringVar(&o.config, "config", "", "")
	c.flags.StringVar(&o.plugins, "plugins", "", "")
	c.flags.StringVar(&o.org, "org", "", "")
	c.flags.StringVar(&o.name, "name", "", "")
	if err := ownersUsageErr(c.parse(args)); err != nil {
		return err
	}
	if err := ownersUsageErr(c.require(map[string]string{"repo": o.repo, "changed-files": o.changedFiles})); err != nil {
		return err
	}
	if (o.plugins != "" || o.config != "") && (o.org == "" || o.name == "") {
		return ownersUsageErr(c.badUsage("--config and --plugins need --org and --name"))
	}
	return runOwners(c, o)
}

// ownersUsageErr turns the shared bad-usage status into owners' own.
func ownersUsageErr(err error) error {
	if errors.Is(err, ExitBadInput) {
		return ownersExitUsage
	}
	return err
}

func runOwners(c *command, o ownersOptions) error {
	req, deny, err := ownersRequest(o)
	if err != nil {
		return c.fail(ownersExitUsage, err)
	}
	tree, err := owners.LoadDir(o.repo, deny)
	var bad *owners.MalformedError
	switch {
	case errors.As(err, &bad):
		for _, p := range bad.Problems {
			fmt.Fprintf(c.stderr, "fresnel owners: %s\n", p)
		}
		return ownersExitMalformed
	case err != nil:
		return c.fail(ownersExitUsage, err)
	}
	for _, w := range tree.Warnings {
		fmt.Fprintf(c.stderr, "fresnel owners: warning: %s\n", w)
	}
	decision, err := owners.Decide(tree, req)
	if err != nil {
		return c.fail(ownersExitUsage, err)
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(decision)
}

// ownersRequest reads the files the flags name into a request and the
// directory denylist.
func ownersRequest(o ownersOptions) (owners.Request, *owners.Denylist, error) {
	files, err := readChangedFiles(o.changedFiles)
	if err != nil {
		return owners.Request{}, nil, err
	}
	req := owners.Request{
		Files:      files,
		Author:     o.author,
		ApprovedBy: splitLogins(o.approvedBy),
		Assignees:  splitLogins(o.assignees),
		Seed:       o.prNumber,
	}
	if o.plugins != "" {
		if req.RequireSelfApproval, err = requireSelfApproval(o.plugins, o.org, o.name); err != nil {
			return owners.Request{}, nil, err
		}
	}
	deny, err := ownersDenylist(o.config, o.org, o.name)
	return req, deny, err
}

func splitLogins(list string) []string {
	var out []string
	for _, l := range strings.Split(list, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// requireSelfApproval reads plugins.yaml with the service's loader and
// returns the approve plugin's setting for org/name, picked as the plugin
// picks it: the entry naming the repository, else its org.
func requireSelfApproval(path, org, name string) (bool, error) {
	p, problems := triggers.LoadPlugins(path, dispatch.ImplementedPlugins())
	if err := problems.Err(); err != nil {
		return false, err
	}
	s, _ := triggers.ForRepo(p.Approve, func(s triggers.ApproveSettings) []string { return s.Repos }, org+"/"+name)
	return s.RequireSelfApproval != nil && *s.RequireSelfApproval, nil
}

// ownersDirDenylist is config.yaml's owners_dir_denylist, as Prow reads it.
type ownersDirDenylist struct {
	Repos                       map[string][]string `json:"repos,omitempty"`
	Default                     []string            `json:"default,omitempty"`
	IgnorePreconfiguredDefaults bool                `json:"ignore_preconfigured_defaults,omitempty"`
}

// ownersDenylist is the denylist config.yaml sets for org/name; Prow's
// preconfigured one without a config.
func ownersDenylist(path, org, name string) (*owners.Denylist, error) {
	if path == "" {
		return owners.DefaultDenylist(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Denylist ownersDirDenylist `json:"owners_dir_denylist,omitempty"`
	}
	if err := sigsyaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d := doc.Denylist
	patterns := append(append(append([]string{}, d.Default...), d.Repos[org]...), d.Repos[org+"/"+name]...)
	return owners.NewDenylist(patterns, d.IgnorePreconfiguredDefaults)
}
