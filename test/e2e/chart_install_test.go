package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// chartRoles are the Deployments of each mode, by role, with the replicas
// the install test asks for.
var chartRoles = map[string]map[string]int32{
	"all":   {"all": 2},
	"split": {"webhook": 2, "controller": 2},
}

// TestHelmChartInstallUpgradeUninstall installs the chart with helm
// install --wait in both modes on the stack (kube-controller-manager makes
// the Pods, the scheduler places them on kwok's node, kwok makes them
// Ready), checks what the pods run with, that the Services and
// PodDisruptionBudgets select them, that an upgrade changing the Prow
// configuration rolls every Deployment while an upgrade changing nothing
// does not, and that helm uninstall leaves no object of the release.
func TestHelmChartInstallUpgradeUninstall(t *testing.T) {
	startControllerManager(t)
	for _, mode := range []string{"all", "split"} {
		t.Run(mode, func(t *testing.T) {
			ns := newNamespace(t)
			rel := releaseName("fr" + mode)
			h := newHelm(t)
			values := func(job string) string {
				return valuesFile(t, fmt.Sprintf(`
mode: %s
all: {replicas: 2}
webhook: {replicas: 2}
controller: {replicas: 2}
providers:
- {kind: github, name: public, webhookSecret: {value: s3cret}, token: {value: ghp_chart}}
prow:
  config: |
    presubmits:
      acme/widgets:
      - name: %s
        always_run: true
        spec: {containers: [{image: busybox, command: [sh, -c, "true"]}]}
`, mode, job))
			}
			notes := h.install(t, ns, rel, "-f", values("unit"))
			if !strings.Contains(notes, "/hook/github/public") {
				t.Errorf("NOTES name no webhook URL for github/public:\n%s", notes)
			}
			// The stack serves tekton.dev/v1: no warning about Tekton.
			if strings.Contains(notes, "WARNING") {
				t.Errorf("NOTES warn on a cluster with Tekton v1:\n%s", notes)
			}
			before := map[string]string{}
			for role, replicas := range chartRoles[mode] {
				d := waitRolledOut(t, ns, rel+"-"+role)
				checkPods(t, d, role, replicas)
				checkPDB(t, ns, rel+"-"+role, replicas)
				before[role] = currentReplicaSet(t, d).Name
			}
			checkServices(t, ns, rel, mode)

			h.must(t, "upgrade", rel, chartDir(), "-n", ns, "--wait", "--timeout", "90s", "-f", values("unit"))
			for role := range chartRoles[mode] {
				d := waitRolledOut(t, ns, rel+"-"+role)
				if rs := currentReplicaSet(t, d).Name; rs != before[role] {
					t.Errorf("%s: an upgrade that changed nothing rolled the pods: ReplicaSet %s, was %s", role, rs, before[role])
				}
			}
			h.must(t, "upgrade", rel, chartDir(), "-n", ns, "--wait", "--timeout", "90s", "-f", values("unit-renamed"))
			for role, replicas := range chartRoles[mode] {
				d := waitRolledOut(t, ns, rel+"-"+role)
				checkRolled(t, d, before[role], replicas)
			}

			h.must(t, "uninstall", rel, "-n", ns, "--wait", "--timeout", "60s")
			waitNothingLeft(t, ns, rel)
		})
	}
}

// checkPods checks the Deployment's pods: as many as asked, Ready, with
// the security context, probes and ports the chart promises.
func checkPods(t *testing.T, d *appsv1.Deployment, role string, replicas int32) {
	t.Helper()
	pods := podsOf(t, d.Namespace, d.Spec.Selector.MatchLabels)
	if int32(len(pods)) != replicas {
		t.Fatalf("%s: %d pods, want %d", role, len(pods), replicas)
	}
	for _, p := range pods {
		if !podReady(p) || p.Spec.NodeName == "" {
			t.Errorf("%s: pod %s not Ready on a node: %+v", role, p.Name, p.Status.Conditions)
		}
		checkPodSecurity(t, role, p.Spec)
		checkProbes(t, role, p.Spec.Containers[0])
	}
	args := strings.Join(pods[0].Spec.Containers[0].Args, " ")
	if wantLeader := role == "controller" || (role == "all" && replicas > 1); strings.Contains(args, "--leader-elect") != wantLeader {
		t.Errorf("%s with %d replicas: args %q, want --leader-elect %v", role, replicas, args, wantLeader)
	}
}

func checkPodSecurity(t *testing.T, role string, spec corev1.PodSpec) {
	t.Helper()
	ps, cs := spec.SecurityContext, spec.Containers[0].SecurityContext
	switch {
	case ps == nil || cs == nil:
		t.Fatalf("%s: no security context", role)
	case ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser != 65532:
		t.Errorf("%s: pod runs as %+v, want non-root uid 65532", role, ps)
	case ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Errorf("%s: seccomp %+v, want RuntimeDefault", role, ps.SeccompProfile)
	case cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem:
		t.Errorf("%s: root filesystem writable", role)
	case cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation:
		t.Errorf("%s: privilege escalation allowed", role)
	case cs.Capabilities == nil || !slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}):
		t.Errorf("%s: capabilities %+v, want ALL dropped", role, cs.Capabilities)
	case spec.Containers[0].Resources.Requests.Memory().IsZero() || spec.Containers[0].Resources.Limits.Memory().IsZero():
		t.Errorf("%s: no memory request or limit: %+v", role, spec.Containers[0].Resources)
	case len(spec.TopologySpreadConstraints) == 0:
		t.Errorf("%s: no topology spread constraint", role)
	}
}

// checkProbes checks that both probes ask a named port of the container,
// and that the role has its metrics port.
func checkProbes(t *testing.T, role string, c corev1.Container) {
	t.Helper()
	ports := map[string]bool{}
	for _, p := range c.Ports {
		ports[p.Name] = true
	}
	for name, probe := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if probe == nil || probe.HTTPGet == nil || !ports[probe.HTTPGet.Port.String()] {
			t.Errorf("%s: %s probe %+v asks no port of the container (%v)", role, name, probe, c.Ports)
		}
	}
	metricsPort := map[string]string{"webhook": "http", "controller": "metrics", "all": "metrics"}[role]
	if !ports[metricsPort] {
		t.Errorf("%s: no %q port for /metrics in %v", role, metricsPort, c.Ports)
	}
}

// checkPDB waits until the disruption controller counts every replica of
// the role as healthy under the PodDisruptionBudget's selector.
func checkPDB(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	err := harness.WaitFor(30*time.Second, 200*time.Millisecond, func() (bool, error) {
		pdb, err := stack.Kube.PolicyV1().PodDisruptionBudgets(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		s := pdb.Status
		return s.ExpectedPods == replicas && s.CurrentHealthy == replicas && s.DisruptionsAllowed >= 1, nil
	})
	if err != nil {
		t.Errorf("PodDisruptionBudget %s: %v", name, err)
	}
}

// checkServices checks that the intake Service selects exactly the pods
// that serve webhooks, and the metrics Service every pod of the release.
func checkServices(t *testing.T, ns, rel, mode string) {
	t.Helper()
	intake := map[string]string{"all": "all", "split": "webhook"}[mode]
	want := map[string][]string{rel: names(podsOf(t, ns, labels.Set{"app.kubernetes.io/instance": rel, "app.kubernetes.io/component": intake}))}
	want[rel+"-metrics"] = names(podsOf(t, ns, labels.Set{"app.kubernetes.io/instance": rel}))
	for svc, pods := range want {
		s, err := stack.Kube.CoreV1().Services(ns).Get(t.Context(), svc, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := names(podsOf(t, ns, s.Spec.Selector))
		if len(got) == 0 || !slices.Equal(got, pods) {
			t.Errorf("Service %s selects pods %v, want %v", svc, got, pods)
		}
	}
}

// checkRolled checks that a config change made a new ReplicaSet with a new
// checksum whose pods are all Ready, and scaled the old one to nothing.
func checkRolled(t *testing.T, d *appsv1.Deployment, before string, replicas int32) {
	t.Helper()
	rs := currentReplicaSet(t, d)
	if rs.Name == before {
		t.Fatalf("%s: a changed configuration kept ReplicaSet %s", d.Name, before)
	}
	old, err := stack.Kube.AppsV1().ReplicaSets(d.Namespace).Get(t.Context(), before, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if old.Spec.Template.Annotations["checksum/prow"] == rs.Spec.Template.Annotations["checksum/prow"] {
		t.Errorf("%s: checksum/prow unchanged across the roll", d.Name)
	}
	err = harness.WaitFor(30*time.Second, 200*time.Millisecond, func() (bool, error) {
		old, err = stack.Kube.AppsV1().ReplicaSets(d.Namespace).Get(t.Context(), before, metav1.GetOptions{})
		return err == nil && *old.Spec.Replicas == 0 && old.Status.Replicas == 0, err
	})
	if err != nil {
		t.Errorf("%s: old ReplicaSet %s not scaled down: %v", d.Name, before, err)
	}
	pods := podsOf(t, d.Namespace, labels.Set{"pod-template-hash": rs.Labels["pod-template-hash"]})
	if int32(len(pods)) != replicas {
		t.Errorf("%s: %d pods of the new ReplicaSet, want %d", d.Name, len(pods), replicas)
	}
}

// currentReplicaSet is the Deployment's ReplicaSet of its current revision.
func currentReplicaSet(t *testing.T, d *appsv1.Deployment) appsv1.ReplicaSet {
	t.Helper()
	list, err := stack.Kube.AppsV1().ReplicaSets(d.Namespace).List(t.Context(), metav1.ListOptions{LabelSelector: labels.Set(d.Spec.Selector.MatchLabels).String()})
	if err != nil {
		t.Fatal(err)
	}
	rev := d.Annotations["deployment.kubernetes.io/revision"]
	for _, rs := range list.Items {
		if rs.Annotations["deployment.kubernetes.io/revision"] == rev {
			return rs
		}
	}
	t.Fatalf("%s: no ReplicaSet of revision %s", d.Name, rev)
	return appsv1.ReplicaSet{}
}

func podsOf(t *testing.T, ns string, selector map[string]string) []corev1.Pod {
	t.Helper()
	list, err := stack.Kube.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: labels.Set(selector).String()})
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(list.Items, func(p corev1.Pod) bool { return p.DeletionTimestamp != nil })
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func names(pods []corev1.Pod) []string {
	out := make([]string, 0, len(pods))
	for _, p := range pods {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

// waitNothingLeft waits until no object of any listable kind, in ns or
// cluster-wide, carries the release's instance label, and the release's
// own record (helm's Secret) is gone.
func waitNothingLeft(t *testing.T, ns, rel string) {
	t.Helper()
	var left []string
	err := harness.WaitFor(60*time.Second, 500*time.Millisecond, func() (bool, error) {
		var err error
		left, err = releaseObjects(t, ns, rel)
		return len(left) == 0, err
	})
	if err != nil {
		t.Errorf("after helm uninstall, objects of release %s remain: %v (%v)", rel, left, err)
	}
}

// releaseObjects lists every object labelled as the release's, and helm's
// release records.
func releaseObjects(t *testing.T, ns, rel string) ([]string, error) {
	t.Helper()
	lists, err := stack.Kube.Discovery().ServerPreferredResources()
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(stack.Rest)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range list.APIResources {
			if !slices.Contains(r.Verbs, "list") {
				continue
			}
			objs, err := listLabelled(t, dyn, gv.WithResource(r.Name), r.Namespaced, ns, rel)
			if err != nil {
				return nil, fmt.Errorf("list %s: %w", r.Name, err)
			}
			for _, o := range objs {
				found = append(found, r.Kind+"/"+o)
			}
		}
	}
	return found, nil
}

func listLabelled(t *testing.T, dyn dynamic.Interface, gvr schema.GroupVersionResource, namespaced bool, ns, rel string) ([]string, error) {
	var found []string
	selectors := []string{"app.kubernetes.io/instance=" + rel}
	if gvr.Resource == "secrets" {
		selectors = append(selectors, "owner=helm,name="+rel)
	}
	for _, sel := range selectors {
		var ri dynamic.ResourceInterface = dyn.Resource(gvr)
		if namespaced {
			ri = dyn.Resource(gvr).Namespace(ns)
		}
		list, err := ri.List(t.Context(), metav1.ListOptions{LabelSelector: sel})
		if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, o := range list.Items {
			found = append(found, o.GetName())
		}
	}
	return found, nil
}
