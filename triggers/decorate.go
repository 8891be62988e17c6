package triggers

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// UtilityConfig holds Prow's decoration fields of a job: whether its pod
// spec is decorated (given Prow's job environment extras, a checkout of its
// refs and a timeout), and how its repositories are cloned.
type UtilityConfig struct {
	Decorate *bool `json:"decorate,omitempty"`
	// PathAlias is where the job's repository is cloned under
	// $GOPATH/src instead of host/org/repo.
	PathAlias string `json:"path_alias,omitempty"`
	// CloneURI replaces the clone URL of the event's repository.
	CloneURI       string `json:"clone_uri,omitempty"`
	CloneDepth     int    `json:"clone_depth,omitempty"`
	SkipSubmodules bool   `json:"skip_submodules,omitempty"`
	SkipFetchHead  bool   `json:"skip_fetch_head,omitempty"`
	// SkipCloning is Lighthouse's place for decoration_config.skip_cloning.
	SkipCloning      *bool             `json:"skip_cloning,omitempty"`
	ExtraRefs        []Refs            `json:"extra_refs,omitempty"`
	DecorationConfig *DecorationConfig `json:"decoration_config,omitempty"`
}

// Refs is a repository to clone and the commits to check out, in the shape
// of Prow's refs and extra_refs: the base at base_sha (or base_ref), with
// each pull request merged onto it in order.
type Refs struct {
	Org      string `json:"org"`
	Repo     string `json:"repo"`
	RepoLink string `json:"repo_link,omitempty"`
	BaseRef  string `json:"base_ref,omitempty"`
	BaseSHA  string `json:"base_sha,omitempty"`
	BaseLink string `json:"base_link,omitempty"`
	Pulls    []Pull `json:"pulls,omitempty"`

	PathAlias      string `json:"path_alias,omitempty"`
	WorkDir        bool   `json:"workdir,omitempty"`
	CloneURI       string `json:"clone_uri,omitempty"`
	SkipSubmodules bool   `json:"skip_submodules,omitempty"`
	CloneDepth     int    `json:"clone_depth,omitempty"`
	SkipFetchHead  bool   `json:"skip_fetch_head,omitempty"`
	// Auxiliary only marks a repository as not the job's main one in
	// Prow's metadata; it is cloned all the same.
	Auxiliary bool `json:"auxiliary,omitempty"`
	// Accepted so Prow's files load; not acted on (see lintDecoration).
	BloblessFetch       json.RawMessage `json:"blobless_fetch,omitempty"`
	SparseCheckoutFiles json.RawMessage `json:"sparse_checkout_files,omitempty"`
}

// Pull is a pull request of Refs, merged onto the base in order.
type Pull struct {
	Number  int    `json:"number"`
	Author  string `json:"author"`
	SHA     string `json:"sha"`
	Title   string `json:"title,omitempty"`
	Ref     string `json:"ref,omitempty"`
	HeadRef string `json:"head_ref,omitempty"`
	Link    string `json:"link,omitempty"`
}

// DecorationConfig is Prow's decoration_config. fresnel acts on timeout,
// grace_period and skip_cloning; every other field is accepted, so Prow's
// files load unchanged, and warned about when set.
type DecorationConfig struct {
	Timeout     string `json:"timeout,omitempty"`
	GracePeriod string `json:"grace_period,omitempty"`
	SkipCloning *bool  `json:"skip_cloning,omitempty"`

	UtilityImages               json.RawMessage `json:"utility_images,omitempty"`
	Resources                   json.RawMessage `json:"resources,omitempty"`
	GCSConfiguration            json.RawMessage `json:"gcs_configuration,omitempty"`
	GCSCredentialsSecret        json.RawMessage `json:"gcs_credentials_secret,omitempty"`
	S3CredentialsSecret         json.RawMessage `json:"s3_credentials_secret,omitempty"`
	DefaultServiceAccountName   json.RawMessage `json:"default_service_account_name,omitempty"`
	SSHKeySecrets               json.RawMessage `json:"ssh_key_secrets,omitempty"`
	SSHHostFingerprints         json.RawMessage `json:"ssh_host_fingerprints,omitempty"`
	BloblessFetch               json.RawMessage `json:"blobless_fetch,omitempty"`
	SparseCheckoutFiles         json.RawMessage `json:"sparse_checkout_files,omitempty"`
	CookiefileSecret            json.RawMessage `json:"cookiefile_secret,omitempty"`
	OauthTokenSecret            json.RawMessage `json:"oauth_token_secret,omitempty"`
	GitHubAPIEndpoints          json.RawMessage `json:"github_api_endpoints,omitempty"`
	GitHubAppID                 json.RawMessage `json:"github_app_id,omitempty"`
	GitHubAppPrivateKeySecret   json.RawMessage `json:"github_app_private_key_secret,omitempty"`
	CensorSecrets               json.RawMessage `json:"censor_secrets,omitempty"`
	CensoringOptions            json.RawMessage `json:"censoring_options,omitempty"`
	UploadIgnoresInterrupts     json.RawMessage `json:"upload_ignores_interrupts,omitempty"`
	SetLimitEqualsMemoryRequest json.RawMessage `json:"set_limit_equals_memory_request,omitempty"`
	DefaultMemoryRequest        json.RawMessage `json:"default_memory_request,omitempty"`
	SchedulingOptions           json.RawMessage `json:"scheduling_options,omitempty"`
	PodPendingTimeout           json.RawMessage `json:"pod_pending_timeout,omitempty"`
	PodRunningTimeout           json.RawMessage `json:"pod_running_timeout,omitempty"`
	PodUnscheduledTimeout       json.RawMessage `json:"pod_unscheduled_timeout,omitempty"`
	RunAsUser                   json.RawMessage `json:"run_as_user,omitempty"`
	RunAsGroup                  json.RawMessage `json:"run_as_group,omitempty"`
	FsGroup                     json.RawMessage `json:"fs_group,omitempty"`
}

// Decorated reports whether the job asks for Prow's decoration.
func (j *Job) Decorated() bool { return j.Decorate != nil && *j.Decorate }

// SkipsCloning reports whether a decorated job clones nothing.
func (u *UtilityConfig) SkipsCloning() bool {
	if u.SkipCloning != nil && *u.SkipCloning {
		return true
	}
	d := u.DecorationConfig
	return d != nil && d.SkipCloning != nil && *d.SkipCloning
}

// Timeouts returns decoration_config's timeout and grace_period; zero when
// unset. Both were checked when the job loaded.
func (u *UtilityConfig) Timeouts() (timeout, grace time.Duration) {
	if u.DecorationConfig == nil {
		return 0, 0
	}
	timeout, _ = time.ParseDuration(u.DecorationConfig.Timeout)
	grace, _ = time.ParseDuration(u.DecorationConfig.GracePeriod)
	return timeout, grace
}

// checkDecoration checks the decoration fields fresnel acts on.
func (fs *findings) checkDecoration(j *Job) {
	if j.CloneDepth < 0 {
		fs.errorf("clone_depth", "clone_depth %d: want 0 (full history) or more", j.CloneDepth)
	}
	if d := j.DecorationConfig; d != nil {
		fs.checkDuration("decoration_config.timeout", d.Timeout)
		fs.checkDuration("decoration_config.grace_period", d.GracePeriod)
	}
	for i, r := range j.ExtraRefs {
		field := fmt.Sprintf("extra_refs.%d", i)
		if r.Org == "" || r.Repo == "" || r.BaseRef == "" {
			fs.errorf(field, "extra_refs[%d]: org, repo and base_ref are required", i)
		}
		if r.CloneDepth < 0 {
			fs.errorf(field+".clone_depth", "extra_refs[%d].clone_depth %d: want 0 (full history) or more", i, r.CloneDepth)
		}
		if strings.Contains(r.PathAlias, "..") {
			fs.errorf(field+".path_alias", "extra_refs[%d].path_alias %q: must not leave $GOPATH/src", i, r.PathAlias)
		}
	}
	if strings.Contains(j.PathAlias, "..") {
		fs.errorf("path_alias", "path_alias %q: must not leave $GOPATH/src", j.PathAlias)
	}
}

func (fs *findings) checkDuration(field, value string) {
	if value == "" {
		return
	}
	if d, err := time.ParseDuration(value); err != nil || d <= 0 {
		fs.errorf(field, "%s %q: want a positive Go duration such as 2h or 15s", field, value)
	}
}

// lintDecoration warns about decoration fields that have no effect: any of
// them on a job that is not a decorated pod spec, and the ones fresnel does
// not implement (uploads, secrets for cloning, sparse checkouts) always.
func (fs *findings) lintDecoration(j *Job) {
	set := j.UtilityConfig.set()
	if len(set) == 0 {
		return
	}
	switch {
	case j.Spec == nil:
		for _, f := range set {
			if f == "extra_refs" {
				fs.warnf(f, "extra_refs: only pod-spec (spec:) jobs clone them; this job finds them in JOB_SPEC only")
				continue
			}
			fs.warnf(f, "%s applies to pod-spec (spec:) jobs only and is ignored", f)
		}
		return
	case !j.Decorated():
		for _, f := range set {
			if f != "decorate" {
				fs.warnf(f, "%s has no effect without decorate: true", f)
			}
		}
	}
	for _, f := range j.DecorationConfig.unsupported() {
		fs.warnf("decoration_config."+f, "decoration_config.%s is not supported by fresnel and is ignored", f)
	}
	for i, r := range j.ExtraRefs {
		for _, f := range r.unsupported() {
			fs.warnf(fmt.Sprintf("extra_refs.%d.%s", i, f), "extra_refs[%d].%s is not supported by fresnel and is ignored", i, f)
		}
	}
}

// set lists the decoration fields a job sets (decorate: false counts: it
// is a decoration field on a job that may not be decorated at all).
func (u *UtilityConfig) set() []string {
	var names []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"decorate", u.Decorate != nil && *u.Decorate}, {"path_alias", u.PathAlias != ""},
		{"clone_uri", u.CloneURI != ""}, {"clone_depth", u.CloneDepth != 0},
		{"skip_submodules", u.SkipSubmodules}, {"skip_fetch_head", u.SkipFetchHead},
		{"skip_cloning", u.SkipCloning != nil && *u.SkipCloning}, {"extra_refs", len(u.ExtraRefs) > 0},
		{"decoration_config", u.DecorationConfig != nil},
	} {
		if f.set {
			names = append(names, f.name)
		}
	}
	return names
}

// unsupported lists the fields of decoration_config fresnel ignores.
func (d *DecorationConfig) unsupported() []string {
	if d == nil {
		return nil
	}
	var names []string
	for _, f := range []struct {
		name  string
		value json.RawMessage
	}{
		{"utility_images", d.UtilityImages}, {"resources", d.Resources},
		{"gcs_configuration", d.GCSConfiguration}, {"gcs_credentials_secret", d.GCSCredentialsSecret},
		{"s3_credentials_secret", d.S3CredentialsSecret}, {"default_service_account_name", d.DefaultServiceAccountName},
		{"ssh_key_secrets", d.SSHKeySecrets}, {"ssh_host_fingerprints", d.SSHHostFingerprints},
		{"blobless_fetch", d.BloblessFetch}, {"sparse_checkout_files", d.SparseCheckoutFiles},
		{"cookiefile_secret", d.CookiefileSecret}, {"oauth_token_secret", d.OauthTokenSecret},
		{"github_api_endpoints", d.GitHubAPIEndpoints}, {"github_app_id", d.GitHubAppID},
		{"github_app_private_key_secret", d.GitHubAppPrivateKeySecret}, {"censor_secrets", d.CensorSecrets},
		{"censoring_options", d.CensoringOptions}, {"upload_ignores_interrupts", d.UploadIgnoresInterrupts},
		{"set_limit_equals_memory_request", d.SetLimitEqualsMemoryRequest}, {"default_memory_request", d.DefaultMemoryRequest},
		{"scheduling_options", d.SchedulingOptions}, {"pod_pending_timeout", d.PodPendingTimeout},
		{"pod_running_timeout", d.PodRunningTimeout}, {"pod_unscheduled_timeout", d.PodUnscheduledTimeout},
		{"run_as_user", d.RunAsUser}, {"run_as_group", d.RunAsGroup}, {"fs_group", d.FsGroup},
	} {
		if !isZeroJSON(f.value) {
			names = append(names, f.name)
		}
	}
	return names
}

func (r Refs) unsupported() []string {
	var names []string
	if !isZeroJSON(r.BloblessFetch) {
		names = append(names, "blobless_fetch")
	}
	if !isZeroJSON(r.SparseCheckoutFiles) {
		names = append(names, "sparse_checkout_files")
	}
	return names
}
