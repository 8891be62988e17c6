package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes builds the real binary and checks the exit status and
// output streams scripts rely on.
func TestExitCodes(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "fresnel")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const td = "../../pkg/cli/testdata/"
	explain := []string{"explain", "--config", td + "explain/config.yaml", "--job-config", td + "explain/jobs", "--provider", "github"}
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{name: "checkconfig valid", args: []string{"checkconfig", "--config", td + "checkconfig/valid.yaml"}, code: 0, wantStdout: "configuration valid"},
		{name: "checkconfig errors", args: []string{"checkconfig", "--config", td + "checkconfig/bad-regex.yaml"}, code: 1, wantStdout: "bad-regex.yaml:6: error: "},
		{name: "checkconfig warnings", args: []string{"checkconfig", "--config", td + "checkconfig/unsupported.yaml"}, code: 0, wantStdout: "unsupported.yaml:8: warning: "},
		{name: "checkconfig warnings, strict", args: []string{"checkconfig", "--strict", "--config", td + "checkconfig/unsupported.yaml"}, code: 1, wantStdout: "4 warnings"},
		{name: "checkconfig bad flag", args: []string{"checkconfig"}, code: 2, wantStderr: "missing --config"},
		{name: "explain", args: append(explain, "--event", "push", "--payload", td+"explain/github/push-main.json"), code: 0, wantStdout: `"job": "publish"`},
		{name: "explain bad payload", args: append(explain, "--event", "pull_request", "--payload", td+"explain/github/truncated.json"), code: 2, wantStderr: "bad payload"},
		{name: "explain missing payload", args: append(explain, "--event", "push", "--payload", td+"nope.json"), code: 2, wantStderr: "no such file"},
		{name: "owners", args: []string{"owners", "--repo", "../../pkg/owners/testdata/repos/kubelike", "--changed-files", "/dev/null"}, code: 0, wantStdout: `"approved": false`},
		{name: "owners malformed", args: []string{"owners", "--repo", "../../pkg/owners/testdata/repos/malformed", "--changed-files", "/dev/null"}, code: 2, wantStderr: "broken/OWNERS:3:"},
		{name: "owners bad flag", args: []string{"owners", "--repo", "."}, code: 1, wantStderr: "missing --changed-files"},
		{name: "unknown command", args: []string{"explode"}, code: 2, wantStderr: `unknown command "explode"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.wantStdout) || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout.String(), stderr.String(), tc.wantStdout, tc.wantStderr)
			}
			if tc.args[0] == "explain" && tc.code == 0 && !json.Valid([]byte(stdout.String())) {
				t.Errorf("explain printed something other than JSON: %s", stdout.String())
			}
		})
	}
}
