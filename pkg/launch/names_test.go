package launch

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestRunNameDeterministic(t *testing.T) {
	a := RunName("public", "org/repo", "d-1", "unit")
	b := RunName("public", "org/repo", "d-1", "unit")
	if a != b {
		t.Errorf("RunName twice = %q and %q, want the same name", a, b)
	}
	if !strings.HasPrefix(a, "unit-") || len(a) != len("unit-")+10 {
		t.Errorf("RunName = %q, want unit-<10 hex>", a)
	}
}

func TestRunNameDiffers(t *testing.T) {
	base := RunName("public", "org/repo", "d-1", "unit")
	tests := []struct {
		name                          string
		instance, repo, delivery, job string
	}{
		{name: "delivery", instance: "public", repo: "org/repo", delivery: "d-2", job: "unit"},
		{name: "job", instance: "public", repo: "org/repo", delivery: "d-1", job: "lint"},
		{name: "job differing only in case", instance: "public", repo: "org/repo", delivery: "d-1", job: "Unit"},
		{name: "instance", instance: "enterprise", repo: "org/repo", delivery: "d-1", job: "unit"},
		{name: "repo", instance: "public", repo: "org/other", delivery: "d-1", job: "unit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RunName(tc.instance, tc.repo, tc.delivery, tc.job); got == base {
				t.Errorf("RunName(%q, %q, %q, %q) = %q, the same as for (public, org/repo, d-1, unit)", tc.instance, tc.repo, tc.delivery, tc.job, got)
			}
		})
	}
}

func TestRunNameIsDNSLabel(t *testing.T) {
	long := strings.Repeat("integration-", 10)
	tests := []struct {
		name       string
		job        string
		wantPrefix string
	}{
		{name: "plain", job: "unit", wantPrefix: "unit-"},
		{name: "uppercase", job: "Unit-Tests", wantPrefix: "unit-tests-"},
		{name: "dots and slashes", job: "pull.ci/e2e.aws", wantPrefix: "pull-ci-e2e-aws-"},
		{name: "underscores and spaces", job: "lint _ go", wantPrefix: "lint-go-"},
		{name: "leading and trailing punctuation", job: "--.unit.--", wantPrefix: "unit-"},
		{name: "very long", job: long, wantPrefix: "integration-integration-"},
		{name: "cut lands on a dash", job: strings.Repeat("a", 51) + "-" + strings.Repeat("b", 20), wantPrefix: strings.Repeat("a", 51) + "-"},
		{name: "nothing usable", job: "日本語", wantPrefix: "run-"},
		{name: "empty", job: "", wantPrefix: "run-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RunName("public", "org/repo", "d-1", tc.job)
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Errorf("RunName(job %q) = %q, not a DNS label: %v", tc.job, got, errs)
			}
			if len(got) > 63 {
				t.Errorf("RunName(job %q) = %q, %d characters, want at most 63", tc.job, got, len(got))
			}
			if !strings.HasPrefix(got, tc.wantPrefix) {
				t.Errorf("RunName(job %q) = %q, want prefix %q", tc.job, got, tc.wantPrefix)
			}
			if strings.Contains(got, "--") {
				t.Errorf("RunName(job %q) = %q, has an empty segment", tc.job, got)
			}
		})
	}
}

func TestRunNameLongJobsStayDistinct(t *testing.T) {
	prefix := strings.Repeat("x", 70)
	a := RunName("public", "org/repo", "d-1", prefix+"-a")
	b := RunName("public", "org/repo", "d-1", prefix+"-b")
	if a == b {
		t.Errorf("two long job names share the run name %q", a)
	}
}

func TestLabelValue(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "unit", want: "unit"},
		{name: "allowed punctuation kept", in: "a.b_c-d", want: "a.b_c-d"},
		{name: "slash and spaces", in: "org/repo name", want: "org_repo_name"},
		{name: "trimmed at both ends", in: "/unit/", want: "unit"},
		{name: "sha of 64", in: strings.Repeat("ab", 32), want: strings.Repeat("ab", 31) + "a"},
		{name: "cut then trimmed", in: strings.Repeat("a", 62) + "-bbb", want: strings.Repeat("a", 62)},
		{name: "empty", in: "", want: ""},
		{name: "nothing usable", in: "日本", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := LabelValue(tc.in)
			if got != tc.want {
				t.Errorf("LabelValue(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if errs := validation.IsValidLabelValue(got); len(errs) > 0 {
				t.Errorf("LabelValue(%q) = %q, not a label value: %v", tc.in, got, errs)
			}
		})
	}
}

func TestRepoLabel(t *testing.T) {
	tests := []struct {
		name     string
		fullName string
		want     string
	}{
		{name: "owner and repo", fullName: "org/repo", want: "org.repo"},
		{name: "nested group", fullName: "group/sub/repo", want: "group.sub.repo"},
		{name: "odd characters", fullName: "Org/my repo+x", want: "Org.my_repo_x"},
		{name: "62 characters stay readable", fullName: "org/" + strings.Repeat("r", 58), want: "org." + strings.Repeat("r", 58)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RepoLabel(tc.fullName); got != tc.want {
				t.Errorf("RepoLabel(%q) = %q, want %q", tc.fullName, got, tc.want)
			}
		})
	}
}

func TestRepoLabelLongNames(t *testing.T) {
	long := "org/" + strings.Repeat("r", 70)
	// The cut at 63 characters falls on a dash, which is trimmed.
	dashAt63 := "org/" + strings.Repeat("r", 58) + "-"
	tests := []struct {
		name string
		a, b string
	}{
		{name: "differ at the end", a: long + "-one", b: long + "-two"},
		{name: "differ past a cut on a dash", a: dashAt63 + "one", b: dashAt63 + "two"},
		{name: "differ past a cut on a dot", a: "org/" + strings.Repeat("r", 58) + ".one", b: "org/" + strings.Repeat("r", 58) + ".two"},
		{name: "63 against 64 characters", a: "org/" + strings.Repeat("r", 59), b: "org/" + strings.Repeat("r", 60)},
		{name: "long with odd characters", a: "org/" + strings.Repeat("日", 30) + "a", b: "org/" + strings.Repeat("日", 30) + "b"},
		{name: "long, nothing usable", a: strings.Repeat("日", 25) + "/" + strings.Repeat("日", 25), b: strings.Repeat("日", 26) + "/" + strings.Repeat("日", 26)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := RepoLabel(tc.a), RepoLabel(tc.b)
			for _, v := range []string{a, b} {
				if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
					t.Errorf("RepoLabel = %q, not a label value: %v", v, errs)
				}
			}
			if a == b {
				t.Errorf("RepoLabel(%q) = RepoLabel(%q) = %q, want them distinct", tc.a, tc.b, a)
			}
			if RepoLabel(tc.a) != a {
				t.Errorf("RepoLabel(%q) is not deterministic", tc.a)
			}
		})
	}
}
