package triggers

// The sections of Prow's plugins.yaml that fresnel reads, named as Prow
// names them. The loader (plugins.go) fills them; pkg/plugins reads them.
// Sections fresnel does not implement are kept out of these types and
// reported as warnings when a file sets them.

// PluginsFile is one plugins.yaml.
type PluginsFile struct {
	// Plugins enables plugins per org ("acme"), repo ("acme/widgets") or,
	// on GitLab, group path ("acme/platform").
	Plugins map[string]OrgPlugins `json:"plugins,omitempty"`
	// ExternalPlugins are HTTP endpoints that receive the events of the
	// org or repo they are listed under.
	ExternalPlugins map[string][]ExternalPlugin `json:"external_plugins,omitempty"`

	Triggers    []TriggerSettings `json:"triggers,omitempty"`
	Lgtm        []LgtmSettings    `json:"lgtm,omitempty"`
	Approve     []ApproveSettings `json:"approve,omitempty"`
	Owners      OwnersSettings    `json:"owners,omitempty"`
	Label       LabelSettings     `json:"label,omitempty"`
	Size        SizeSettings      `json:"size,omitempty"`
	Blunderbuss BlunderbussConfig `json:"blunderbuss,omitempty"`
	Welcome     []WelcomeSettings `json:"welcome,omitempty"`
	Override    OverrideSettings  `json:"override,omitempty"`
}

// OrgPlugins lists the plugins enabled for one org, repo or group. Prow
// also accepts a bare list in its place.
type OrgPlugins struct {
	ExcludedRepos []string `json:"excluded_repos,omitempty"`
	Plugins       []string `json:"plugins,omitempty"`
}

// ExternalPlugin is a service that receives events over HTTP.
type ExternalPlugin struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	// Events names the GitHub event types forwarded; empty means all.
	Events []string `json:"events,omitempty"`
}

// TriggerSettings are one entry of the trigger plugin's list.
type TriggerSettings struct {
	// Repos are orgs ("acme") or repos ("acme/widgets") the entry covers.
	Repos []string `json:"repos,omitempty"`
	// TrustedApps are bot accounts whose pull requests are trusted.
	TrustedApps []string `json:"trusted_apps,omitempty"`
	// TrustedOrg is the org whose members are trusted, when not the repo's own.
	TrustedOrg string `json:"trusted_org,omitempty"`
	// JoinOrgURL is linked from the comment an untrusted pull request gets.
	JoinOrgURL string `json:"join_org_url,omitempty"`
	// OnlyOrgMembers trusts org members only, not a repo's collaborators.
	OnlyOrgMembers bool `json:"only_org_members,omitempty"`
	// IgnoreOkToTest makes /ok-to-test and its label do nothing.
	IgnoreOkToTest bool `json:"ignore_ok_to_test,omitempty"`
	// ElideSkippedContexts posts no skipped status for jobs that need not run.
	ElideSkippedContexts bool `json:"elide_skipped_contexts,omitempty"`
	// SkipDraftPR keeps draft pull requests from starting presubmits on
	// their own; marking one ready for review starts them, and a /test
	// comment still does.
	SkipDraftPR bool `json:"skip_draft_pr,omitempty"`
}

// LgtmSettings are one entry of the lgtm plugin's list.
type LgtmSettings struct {
	Repos            []string `json:"repos,omitempty"`
	ReviewActsAsLgtm bool     `json:"review_acts_as_lgtm,omitempty"`
	StoreTreeHash    bool     `json:"store_tree_hash,omitempty"`
	StickyLgtmTeam   string   `json:"sticky_lgtm_team,omitempty"`
	// VoteLabel is the review label /lgtm votes +1 on SCMs that vote
	// (Gerrit); empty means Code-Review. fresnel's own field.
	VoteLabel string `json:"vote_label,omitempty"`
}

// ApproveSettings are one entry of the approve plugin's list.
type ApproveSettings struct {
	Repos []string `json:"repos,omitempty"`
	// IssueRequired asks for a linked issue or /approve no-issue.
	IssueRequired bool `json:"issue_required,omitempty"`
	// RequireSelfApproval stops an author who is an approver from
	// approving their own pull request implicitly.
	RequireSelfApproval *bool `json:"require_self_approval,omitempty"`
	// LgtmActsAsApprove makes /lgtm from an approver approve too.
	LgtmActsAsApprove bool `json:"lgtm_acts_as_approve,omitempty"`
	// IgnoreReviewState ignores SCM review approvals.
	IgnoreReviewState *bool `json:"ignore_review_state,omitempty"`
	// VoteLabel and VoteValue say which review vote counts as its
	// voter's approval on SCMs that vote (Gerrit); empty and 0 mean
	// Code-Review +2. fresnel's own fields.
	VoteLabel string `json:"vote_label,omitempty"`
	VoteValue int    `json:"vote_value,omitempty"`
}

// OwnersSettings configure how OWNERS files are read.
type OwnersSettings struct {
	SkipCollaborators []string `json:"skip_collaborators,omitempty"`
	LabelsDenyList    []string `json:"labels_denylist,omitempty"`
}

// LabelSettings configure the label plugin.
type LabelSettings struct {
	AdditionalLabels []string                     `json:"additional_labels,omitempty"`
	RestrictedLabels map[string][]RestrictedLabel `json:"restricted_labels,omitempty"`
}

// RestrictedLabel is a label only some people may add or remove.
type RestrictedLabel struct {
	Label        string   `json:"label"`
	AllowedTeams []string `json:"allowed_teams,omitempty"`
	AllowedUsers []string `json:"allowed_users,omitempty"`
	AssignOn     []struct {
		Label string `json:"label"`
	} `json:"assign_on,omitempty"`
}

// SizeSettings are the changed-line thresholds of the size labels.
type SizeSettings struct {
	S   int `json:"s,omitempty"`
	M   int `json:"m,omitempty"`
	L   int `json:"l,omitempty"`
	Xl  int `json:"xl,omitempty"`
	Xxl int `json:"xxl,omitempty"`
}

// BlunderbussConfig configures reviewer requests from OWNERS.
type BlunderbussConfig struct {
	RequestCount     *int     `json:"request_count,omitempty"`
	ExcludeApprovers bool     `json:"exclude_approvers,omitempty"`
	IgnoreDrafts     bool     `json:"ignore_drafts,omitempty"`
	IgnoreAuthors    []string `json:"ignore_authors,omitempty"`
}

// WelcomeSettings are one entry of the welcome plugin's list.
type WelcomeSettings struct {
	Repos           []string `json:"repos,omitempty"`
	MessageTemplate string   `json:"message_template,omitempty"`
	AlwaysPost      bool     `json:"always_post,omitempty"`
}

// OverrideSettings configure who may /override a context besides repo admins.
type OverrideSettings struct {
	AllowTopLevelOwners bool                `json:"allow_top_level_owners,omitempty"`
	AllowedGitHubTeams  map[string][]string `json:"allowed_github_teams,omitempty"`
}
