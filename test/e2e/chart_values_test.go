package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/fresnel-ci/fresnel/pkg/app"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// chartCase is one values file of the matrix.
type chartCase struct {
	values string
	// setup creates what the values refer to, in the release namespace.
	setup func(t *testing.T, ns string)
	// instances are the provider instances fresnel must build from the
	// rendered settings, as kind/name.
	instances []string
	// check looks at the installed release.
	check func(t *testing.T, ns, rel, notes string)
}

var fiveSCMs = []string{"github/public", "gitlab/internal", "bitbucketcloud/cloud", "bitbucketserver/dc", "gerrit/review"}

var chartMatrix = map[string]chartCase{
	"minimal": {
		values:    `providers: [{kind: github, name: public, webhookSecret: {value: s3cret}}]`,
		instances: []string{"github/public"},
	},
	"five SCMs": {
		values: `
providers:
- {kind: github, name: public, url: "https://api.github.com", webhookSecret: {value: gh}, token: {value: ghp_x}}
- {kind: gitlab, name: internal, url: "https://gitlab.example.com", webhookSecret: {value: gl}, token: {value: glpat_x}}
- {kind: bitbucketcloud, name: cloud, webhookSecret: {value: bbc}, username: bot, token: {value: app-password}}
- {kind: bitbucketserver, name: dc, url: "https://bitbucket.example.com", webhookSecret: {value: bbs}, token: {value: bbs_x}}
- kind: gerrit
  name: review
  url: "https://gerrit.example.com"
  webhookSecret: {value: gerrit-token}
  username: fresnel-bot
  token: {value: http-password}
  options: {voteLabel: Verified}
prow:
  plugins: |
    plugins:
      acme/widgets: [trigger, lgtm]
`,
		instances: fiveSCMs,
		check:     checkNotesURLs,
	},
	"existing secrets and ConfigMaps": {
		// A Lighthouse install's Secrets and ConfigMaps, used as they are.
		values: `
providers:
- kind: github
  name: public
  webhookSecret: {secretRef: {name: lighthouse-hmac-token, key: hmac}}
  token: {secretRef: {name: lighthouse-oauth-token, key: oauth}}
- kind: github
  name: app
  webhookSecret: {secretRef: {name: lighthouse-hmac-token, key: hmac}}
  app: {id: 4242, privateKey: {secretRef: {name: github-app, key: private-key.pem}}}
prow:
  existingConfig: {name: config, key: config.yaml}
  existingPlugins: {name: plugins, key: plugins.yaml}
  existingJobConfig: job-config
`,
		setup:     createLighthouseObjects,
		instances: []string{"github/app", "github/public"},
		check:     checkNoChartSecret,
	},
	"ingress on": {
		values: `
providers: [{kind: gitlab, name: main, webhookSecret: {value: gl}}]
ingress:
  enabled: true
  className: nginx
  host: ci.example.com
  tls: [{hosts: [ci.example.com], secretName: ci-tls}]
`,
		instances: []string{"gitlab/main"},
		check:     checkIngress,
	},
	"split": {
		values: `
mode: split
webhook: {replicas: 3}
controller: {replicas: 2}
providers: [{kind: github, name: public, webhookSecret: {value: s3cret}, token: {value: ghp_x}}]
`,
		instances: []string{"github/public"},
	},
	"prometheus operator present": {
		values:    `providers: [{kind: github, name: public, webhookSecret: {value: s3cret}}]`,
		setup:     createServiceMonitorCRD,
		instances: []string{"github/public"},
		check:     checkServiceMonitor,
	},
}

// TestHelmChartValuesMatrix lints, renders and installs each values file
// of the matrix, waits for its Deployments, and builds fresnel (settings,
// secrets, provider instances, job configuration) from the files the pods
// would see.
func TestHelmChartValuesMatrix(t *testing.T) {
	startControllerManager(t)
	kube := kubeVersionFlag(t)
	for name, tc := range chartMatrix {
		t.Run(name, func(t *testing.T) {
			ns := newNamespace(t)
			if tc.setup != nil {
				tc.setup(t, ns)
			}
			h := newHelm(t)
			values := valuesFile(t, tc.values)
			h.must(t, "lint", chartDir(), "--strict", kube, "-f", values)
			if out := h.must(t, "template", "x", chartDir(), kube, "-f", values); !strings.Contains(out, "kind: Deployment") {
				t.Fatalf("helm template rendered no Deployment:\n%s", out)
			}
			rel := releaseName("frm")
			notes := h.install(t, ns, rel, "-f", values)
			deployments, err := stack.Kube.AppsV1().Deployments(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + rel})
			if err != nil || len(deployments.Items) == 0 {
				t.Fatalf("no Deployments of the release: %v", err)
			}
			for _, d := range deployments.Items {
				waitRolledOut(t, ns, d.Name)
				checkFresnelBuilds(t, &d, tc.instances)
			}
			if tc.check != nil {
				tc.check(t, ns, rel, notes)
			}
		})
	}
}

// TestHelmChartRefusesBadValues checks that values the schema forbids fail
// helm lint and helm install with the schema's message, and that the
// failed install leaves no release behind.
func TestHelmChartRefusesBadValues(t *testing.T) {
	ns := newNamespace(t)
	h := newHelm(t)
	values := valuesFile(t, `
mode: both
providers:
- {kind: github, name: Public, token: {value: x}}
- {kind: gerrit, name: review, webhookSecret: {value: y}}
`)
	wants := []string{
		"at '/mode': value must be one of 'all', 'split'",
		"at '/providers/0/name': 'Public' does not match pattern",
		"at '/providers/0': missing property 'webhookSecret'",
		"at '/providers/1': missing property 'url'",
	}
	for _, args := range [][]string{
		{"lint", chartDir(), "-f", values},
		{"install", "bad", chartDir(), "-n", ns, "-f", values},
	} {
		stdout, stderr, err := h.run(args...)
		if err == nil {
			t.Fatalf("helm %s accepted bad values", args[0])
		}
		// lint says what is wrong on its standard output, install on its error.
		for _, want := range wants {
			if !strings.Contains(stdout+stderr, want) {
				t.Errorf("helm %s: output lacks %q:\n%s%s", args[0], want, stdout, stderr)
			}
		}
	}
	if _, _, err := h.run("status", "bad", "-n", ns); err == nil {
		t.Error("a release exists after an install that failed validation")
	}
}

// checkFresnelBuilds lays out the pod's files as the kubelet would and
// builds fresnel from them as it starts: settings, every secret file,
// every provider instance, the job configuration and plugins.yaml.
func checkFresnelBuilds(t *testing.T, d *appsv1.Deployment, instances []string) {
	t.Helper()
	root := t.TempDir()
	podRoot(t, d.Namespace, d.Spec.Template.Spec, root)
	settings := rerootSettings(t, root)
	a, err := app.New(app.Options{SettingsPath: settings, Kubeconfig: stack.Kubeconfig})
	if err != nil {
		t.Fatalf("%s: fresnel cannot start from the chart's files: %v", d.Name, err)
	}
	var got []string
	for _, in := range a.Instances.All() {
		got = append(got, in.Kind+"/"+in.Name)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(instances))
	if !slices.Equal(got, want) {
		t.Errorf("%s: instances %v, want %v", d.Name, got, want)
	}
}

// rerootSettings rewrites the pod's fresnel.yaml so that its /etc/fresnel
// paths point under root, and returns its path.
func rerootSettings(t *testing.T, root string) string {
	t.Helper()
	path := filepath.Join(root, "etc", "fresnel", "settings", "fresnel.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the pod sees no settings: %v", err)
	}
	out := filepath.Join(root, "fresnel.yaml")
	writeFile(t, out, strings.ReplaceAll(string(b), "/etc/fresnel/", filepath.Join(root, "etc", "fresnel")+"/"))
	return out
}

func kubeVersionFlag(t *testing.T) string {
	t.Helper()
	v, err := stackKubeVersion()
	if err != nil {
		t.Fatal(err)
	}
	return "--kube-version=" + v
}

func checkNotesURLs(t *testing.T, ns, rel, notes string) {
	t.Helper()
	for _, in := range fiveSCMs {
		want := "http://" + rel + "." + ns + ".svc:80/hook/" + in
		if !strings.Contains(notes, want) {
			t.Errorf("NOTES lack %s:\n%s", want, notes)
		}
	}
}

func createLighthouseObjects(t *testing.T, ns string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	secrets := map[string]map[string]string{
		"lighthouse-hmac-token":  {"hmac": "lh-hmac"},
		"lighthouse-oauth-token": {"oauth": "ghp_lh"},
		"github-app":             {"private-key.pem": string(pemKey)},
	}
	for name, data := range secrets {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: data}
		if _, err := stack.Kube.CoreV1().Secrets(ns).Create(t.Context(), s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	configMaps := map[string]map[string]string{
		"config":     {"config.yaml": "presubmits:\n  acme/widgets:\n  - name: lint\n    always_run: true\n    spec: {containers: [{image: golang, command: [make, lint]}]}\n"},
		"plugins":    {"plugins.yaml": "plugins:\n  acme/widgets: [trigger]\n"},
		"job-config": {"unit.yaml": "presubmits:\n  acme/widgets:\n  - name: unit\n    always_run: true\n    spec: {containers: [{image: golang, command: [go, test]}]}\n"},
	}
	for name, data := range configMaps {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: data}
		if _, err := stack.Kube.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkNoChartSecret checks that the chart made no Secret of its own when
// every secret is a reference.
func checkNoChartSecret(t *testing.T, ns, rel, _ string) {
	t.Helper()
	_, err := stack.Kube.CoreV1().Secrets(ns).Get(t.Context(), rel+"-secrets", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("the chart made Secret %s-secrets though every secret is a reference (err %v)", rel, err)
	}
}

func checkIngress(t *testing.T, ns, rel, notes string) {
	t.Helper()
	ing, err := stack.Kube.NetworkingV1().Ingresses(ns).Get(t.Context(), rel, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rule := ing.Spec.Rules[0]
	backend := rule.HTTP.Paths[0].Backend.Service
	if rule.Host != "ci.example.com" || rule.HTTP.Paths[0].Path != "/hook" || backend.Name != rel || backend.Port.Name != "http" {
		t.Errorf("ingress rule %+v, backend %+v", rule, backend)
	}
	if !strings.Contains(notes, "https://ci.example.com/hook/gitlab/main") {
		t.Errorf("NOTES lack the ingress URL:\n%s", notes)
	}
}

var serviceMonitors = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "servicemonitors"}

var crds = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// createServiceMonitorCRD serves monitoring.coreos.com/v1 ServiceMonitor
// (without its schema) for the length of the test.
func createServiceMonitorCRD(t *testing.T, _ string) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(stack.Rest)
	if err != nil {
		t.Fatal(err)
	}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": "servicemonitors.monitoring.coreos.com"},
		"spec": map[string]any{
			"group": serviceMonitors.Group,
			"scope": "Namespaced",
			"names": map[string]any{"plural": "servicemonitors", "singular": "servicemonitor", "kind": "ServiceMonitor", "listKind": "ServiceMonitorList"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	if _, err := dyn.Resource(crds).Create(t.Context(), crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dyn.Resource(crds).Delete(context.Background(), crd.GetName(), metav1.DeleteOptions{}) })
	err = harness.WaitFor(20*time.Second, 100*time.Millisecond, func() (bool, error) {
		_, err := stack.Kube.Discovery().ServerResourcesForGroupVersion("monitoring.coreos.com/v1")
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("ServiceMonitor API not served: %v", err)
	}
}

// checkServiceMonitor checks that the ServiceMonitor scrapes both metrics
// ports of the metrics Service.
func checkServiceMonitor(t *testing.T, ns, rel, _ string) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(stack.Rest)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := dyn.Resource(serviceMonitors).Namespace(ns).Get(t.Context(), rel, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("no ServiceMonitor where the Prometheus Operator API is served: %v", err)
	}
	svc, err := stack.Kube.CoreV1().Services(ns).Get(t.Context(), rel+"-metrics", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	selector, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	for k, v := range selector {
		if svc.Labels[k] != v {
			t.Errorf("ServiceMonitor selects %s=%v; the metrics Service has %q", k, v, svc.Labels[k])
		}
	}
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	var ports []string
	for _, e := range endpoints {
		port, _, _ := unstructured.NestedString(e.(map[string]any), "port")
		ports = append(ports, port)
	}
	for _, p := range svc.Spec.Ports {
		if !slices.Contains(ports, p.Name) {
			t.Errorf("ServiceMonitor scrapes ports %v, not the metrics Service's %s", ports, p.Name)
		}
	}
}
