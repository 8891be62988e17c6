package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/pkg/report"
)

func TestSlimRunKeepsWhatTheLoopsRead(t *testing.T) {
	start, done := metav1.Now(), metav1.Now()
	pr := &pipelinev1.PipelineRun{
		ObjectMeta: metav1.ObjectMeta{
			Name: "unit-abc", Labels: map[string]string{"fresnel.dev/job": "unit"},
			Annotations:   map[string]string{"fresnel.dev/reported-state": "failure"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "fresnel"}},
		},
		Spec: pipelinev1.PipelineRunSpec{
			PipelineSpec: &pipelinev1.PipelineSpec{Tasks: []pipelinev1.PipelineTask{{Name: "unit"}}},
			Params: pipelinev1.Params{
				{Name: "JOB_SPEC", Value: *pipelinev1.NewStructuredValues(`{"type":"presubmit"}`)},
				{Name: "JOB_NAME", Value: *pipelinev1.NewStructuredValues("unit")},
			},
			Status: pipelinev1.PipelineRunSpecStatusCancelled,
		},
	}
	pr.Status.StartTime, pr.Status.CompletionTime = &start, &done
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionFalse, Reason: "Failed"})
	pr.Status.ChildReferences = []pipelinev1.ChildStatusReference{{Name: "unit-abc-unit", PipelineTaskName: "unit"}}
	pr.Status.PipelineSpec = pr.Spec.PipelineSpec.DeepCopy()
	pr.Status.Results = []pipelinev1.PipelineRunResult{{Name: "url"}}
	state, desc := report.StateOf(pr)

	out, err := slimRun(pr.DeepCopy())
	if err != nil {
		t.Fatal(err)
	}
	slim := out.(*pipelinev1.PipelineRun)
	if gotState, gotDesc := report.StateOf(slim); gotState != state || gotDesc != desc {
		t.Errorf("state %s %q, want %s %q as before", gotState, gotDesc, state, desc)
	}
	kept := []any{slim.Name, slim.Labels, slim.Annotations, slim.Spec.Status, slim.Status.StartTime, slim.Status.CompletionTime, slim.Status.ChildReferences}
	want := []any{pr.Name, pr.Labels, pr.Annotations, pr.Spec.Status, pr.Status.StartTime, pr.Status.CompletionTime, pr.Status.ChildReferences}
	if diff := cmp.Diff(want, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if len(slim.Spec.Params) != 1 || slim.Spec.Params[0].Name != "JOB_NAME" {
		t.Errorf("params %v, want JOB_NAME only", slim.Spec.Params)
	}
	if slim.ManagedFields != nil || slim.Spec.PipelineSpec != nil || slim.Status.PipelineSpec != nil || slim.Status.Results != nil {
		t.Errorf("managed fields, pipeline specs or results kept: %+v", slim)
	}
	if other, _ := slimRun("not a run"); other != "not a run" {
		t.Errorf("a non-run came back as %v", other)
	}
}
