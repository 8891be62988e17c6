package settings

import (
	"strings"
	"testing"
)

func TestLoadRefusesBadGC(t *testing.T) {
	for _, tc := range []struct {
		name, gc, wantErr string
	}{
		{"negative keepPerJob", "gc: {keepPerJob: -1}", "gc: keepPerJob must be 0 (no limit) or more"},
		{"negative maxAge", "gc: {maxAge: -1h}", "gc: maxAge and interval must be positive durations"},
		{"negative pace", "gc: {deletesPerSecond: -3}", "gc: deletesPerSecond must be positive"},
		{"not a duration", "gc: {interval: weekly}", `duration "weekly"`},
		{"unknown key", "gc: {maxAgeDays: 3}", "maxAgeDays"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			_, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", minimal+tc.gc+"\n"))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
