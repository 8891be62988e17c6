package fault

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/pkg/run"
)

// verdict is what the cluster holds after a scenario, against what
// fresnel acknowledged.
type verdict struct {
	// runs is the number of fresnel's PipelineRuns in the namespace.
	runs int
	// lost counts the (delivery, job) pairs of acknowledged deliveries
	// that have no PipelineRun.
	lost int
	// duplicates counts PipelineRuns beyond the first per (delivery, job).
	duplicates int
	// strays are PipelineRuns of a delivery the scenario never sent.
	strays int
}

// judge lists the scenario's PipelineRuns and counts them per delivery
// (instance and delivery annotations) and job (label).
func (in *install) judge(tl *tally, ds []delivery) (verdict, error) {
	list, err := stack.Tekton.TektonV1().PipelineRuns(in.ns).List(context.Background(),
		metav1.ListOptions{LabelSelector: run.LabelManaged + "=true"})
	if err != nil {
		return verdict{}, fmt.Errorf("fault: list PipelineRuns: %w", err)
	}
	sent := map[string]bool{}
	for _, d := range ds {
		sent[d.key()] = true
	}
	perJob := map[string]int{}
	v := verdict{runs: len(list.Items)}
	for _, pr := range list.Items {
		key := pr.Annotations[run.AnnotationInstance] + "/" + pr.Annotations[run.AnnotationDelivery]
		if !sent[key] {
			v.strays++
		}
		perJob[key+"#"+pr.Labels[run.LabelJob]]++
	}
	for _, n := range perJob {
		v.duplicates += max(n-1, 0)
	}
	for _, d := range ds {
		for _, job := range jobs {
			if tl.isAcked(d) && perJob[d.key()+"#"+job] == 0 {
				v.lost++
			}
		}
	}
	return v, nil
}

// conclude prints the scenario's summary line and asserts that nothing
// acknowledged was lost, nothing ran twice, nothing ran that was not sent,
// and every delivery was acknowledged in the end.
func (in *install) conclude(t *testing.T, name string, tl *tally, ds []delivery, began time.Time) verdict {
	t.Helper()
	in.samplePeak()
	v, err := in.judge(tl, ds)
	if err != nil {
		t.Fatal(err)
	}
	unacked := len(tl.unacked(ds))
	fmt.Printf("fault: %s: %d deliveries, %d sends, %d acknowledged, %d PipelineRuns; acknowledged-and-lost %d, duplicates %d, stray runs %d; answers %s; fresnel peak RSS %.1f MiB; %.1fs\n",
		name, len(ds), tl.sends, len(ds)-unacked, v.runs, v.lost, v.duplicates, v.strays, tl.answersLine(),
		float64(in.peakKiB.Load())/1024, time.Since(began).Seconds())
	if v.lost != 0 || v.duplicates != 0 || v.strays != 0 {
		t.Errorf("acknowledged-and-lost %d, duplicates %d, stray runs %d: want 0 each", v.lost, v.duplicates, v.strays)
	}
	if unacked != 0 {
		t.Errorf("%d deliveries were never acknowledged, even redelivered", unacked)
	}
	return v
}
