// Command demo brings up the local stack, runs fresnel with the example
// configuration, sends signed sample webhooks from each SCM, and shows the
// PipelineRuns created and run, and what each SCM stand-in received back.
//
//	go run ./test/demo [--keep]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/test/harness"
)

const namespace = "demo"

func main() {
	keep := flag.Bool("keep", false, "leave the local stack running afterwards")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *keep)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, keep bool) error {
	startedStack := !harness.StackRunning(ctx)
	step("Bringing up the local stack (etcd, kube-apiserver, Tekton, kwok); the first run builds it once")
	stack, err := harness.UpStack(ctx)
	if err != nil {
		return err
	}
	if startedStack && !keep {
		defer func() {
			step("Stopping the local stack (make demo ARGS=--keep leaves it up)")
			_ = harness.DownStack(context.Background())
		}()
	}
	if err := stack.Namespace(ctx, namespace); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "fresnel-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := harness.BuildFresnel(ctx, dir)
	if err != nil {
		return err
	}
	scms := demoSCMs()
	defer func() {
		for _, s := range scms {
			s.fake.Close()
		}
	}()
	f, err := startFresnel(ctx, stack, bin, dir, scms)
	if err != nil {
		return err
	}
	defer f.Stop()
	step("Sending signed sample webhooks from each SCM")
	sent := 0
	for _, s := range scms {
		for _, d := range s.deliveries {
			sent++
			if err := deliver(f, s, d); err != nil {
				return err
			}
		}
	}
	step("Waiting for the Tekton controller to run every PipelineRun")
	runs, err := waitDone(ctx, stack)
	if err != nil {
		return err
	}
	printRuns(runs)
	time.Sleep(2 * time.Second) // let the last reports go out
	for _, s := range scms {
		printReports(s)
	}
	fmt.Printf("\n%d webhooks sent, %d PipelineRuns run and reported back.\n", sent, len(runs))
	return nil
}

func startFresnel(ctx context.Context, stack *harness.Stack, bin, dir string, scms []*demoSCM) (*harness.Fresnel, error) {
	config, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "docs", "examples", "config.yaml"))
	if err != nil {
		return nil, err
	}
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\nreport:\n  targetURL: \"http://127.0.0.1/runs/{{.Namespace}}/{{.Name}}\"\nproviders:\n", namespace)
	files := map[string]string{"config.yaml": string(config)}
	for _, s := range scms {
		settings += s.settings
		files[s.kind+"-secret"] = string(s.secret)
		files[s.kind+"-token"] = "demo-api-token"
	}
	step("Starting fresnel all (webhook intake and controller in one process)")
	return harness.StartFresnel(ctx, filepath.Join(dir, "run"), harness.FresnelOptions{
		Binary: bin, Kubeconfig: stack.Kubeconfig, Settings: settings, Files: files,
	})
}

func deliver(f *harness.Fresnel, s *demoSCM, d delivery) error {
	path := d.path
	if path == "" {
		path = harness.HookPath(s.kind, s.instance)
	}
	resp, body, err := f.SendPath(path, d.header, d.body)
	if err != nil {
		return err
	}
	fmt.Printf("  %-15s %-38s -> %d %s\n", s.kind, d.title, resp.StatusCode, strings.TrimSpace(string(body)))
	return nil
}

func waitDone(ctx context.Context, stack *harness.Stack) ([]pipelinev1.PipelineRun, error) {
	var runs []pipelinev1.PipelineRun
	err := harness.WaitFor(2*time.Minute, 500*time.Millisecond, func() (bool, error) {
		list, err := stack.Tekton.TektonV1().PipelineRuns(namespace).List(ctx, metav1.ListOptions{LabelSelector: "fresnel.dev/managed=true"})
		if err != nil {
			return false, err
		}
		runs = list.Items
		for _, pr := range runs {
			if !pr.IsDone() {
				return false, nil
			}
		}
		return len(runs) > 0, nil
	})
	return runs, err
}

func printRuns(runs []pipelinev1.PipelineRun) {
	step("PipelineRuns in namespace " + namespace + " (kubectl get pipelineruns -n " + namespace + ")")
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "  NAME\tPROVIDER\tTYPE\tJOB\tREPO\tRESULT")
	for _, pr := range runs {
		result := "Running"
		if c := pr.Status.GetCondition(apis.ConditionSucceeded); c != nil {
			result = c.Reason
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\n", pr.Name, pr.Labels["fresnel.dev/provider"], pr.Labels["fresnel.dev/type"],
			pr.Labels["fresnel.dev/job"], pr.Annotations["fresnel.dev/repo"], result)
	}
	w.Flush()
}

func printReports(s *demoSCM) {
	step(fmt.Sprintf("What the %s API stand-in received back", s.kind))
	for _, c := range s.fake.Calls("", "") {
		if line := s.describe(c); line != "" {
			fmt.Println("  " + line)
		}
	}
}

func step(msg string) { fmt.Printf("\n==> %s\n", msg) }
