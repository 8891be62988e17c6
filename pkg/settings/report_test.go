package settings

import "testing"

func TestReportSummaryComment(t *testing.T) {
	for name, tc := range map[string]struct {
		report string
		want   bool
	}{
		"left out":   {report: "", want: true},
		"turned on":  {report: "report: {summaryComment: true}\n", want: true},
		"turned off": {report: "report: {summaryComment: false}\n", want: false},
	} {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			s, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", minimal+tc.report))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := s.Report.SummaryCommentOn(); got != tc.want {
				t.Errorf("SummaryCommentOn() = %v, want %v", got, tc.want)
			}
		})
	}
}
