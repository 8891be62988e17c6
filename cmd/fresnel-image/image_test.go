package main

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// testEpoch is an arbitrary fixed time, so the tests do not depend on git.
var testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testOptions builds the real cmd/fresnel from this repository into out.
func testOptions(t *testing.T, out string) options {
	t.Helper()
	opts, err := finishOptions(options{
		Pkg: "github.com/fresnel-ci/fresnel/cmd/fresnel", Version: "v9.8.7-test", Commit: "abc1234",
		Source: "https://example.com/fresnel", Out: out,
	}, "linux/amd64,linux/arm64", defaultRepository, "", strconv.FormatInt(testEpoch.Unix(), 10))
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

var shared struct {
	once sync.Once
	dir  string
	res  result
	err  error
}

// sharedBuild is one full build, made once for the tests that only read it.
func sharedBuild(t *testing.T) (options, result) {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "fresnel-image-test-")
		if shared.err == nil {
			shared.res, shared.err = build(context.Background(), testOptions(t, shared.dir))
		}
	})
	if shared.err != nil {
		t.Fatalf("build: %v", shared.err)
	}
	return testOptions(t, shared.dir), shared.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func TestBuildIsReproducible(t *testing.T) {
	_, first := sharedBuild(t)
	second, err := build(context.Background(), testOptions(t, t.TempDir()))
	if err != nil {
		t.Fatalf("second build: %v", err)
	}
	if first.Digest != second.Digest {
		t.Errorf("index digest: first %s, second %s", first.Digest, second.Digest)
	}
	files := map[string][2]string{
		"oci archive": {first.Files.Archive, second.Files.Archive},
		"digest file": {first.Files.DigestFile, second.Files.DigestFile},
	}
	for p := range first.Files.Docker {
		files["docker "+p] = [2]string{first.Files.Docker[p], second.Files.Docker[p]}
	}
	for name, pair := range files {
		if a, b := fileHash(t, pair[0]), fileHash(t, pair[1]); a != b {
			t.Errorf("%s: first %s, second %s", name, a, b)
		}
	}
}

func TestLayoutHoldsTheIndex(t *testing.T) {
	opts, res := sharedBuild(t)
	idx, err := layout.ImageIndexFromPath(res.Files.Layout)
	if err != nil {
		t.Fatal(err)
	}
	top, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Manifests) != 1 || top.Manifests[0].Digest != res.Digest {
		t.Fatalf("layout index.json: want one entry %s, got %+v", res.Digest, top.Manifests)
	}
	if got := top.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != opts.Ref.TagStr() || got != "9.8.7-test" {
		t.Errorf("ref.name = %q, want the version without v", got)
	}
	stored, err := idx.ImageIndex(res.Digest)
	if err != nil {
		t.Fatal(err)
	}
	// Every blob is there, with the digest and size its descriptor says.
	if err := validate.Index(stored); err != nil {
		t.Errorf("layout index: %v", err)
	}
	written, err := os.ReadFile(res.Files.DigestFile)
	if err != nil || strings.TrimSpace(string(written)) != res.Digest.String() {
		t.Errorf("digest file = %q (%v), want %s", written, err, res.Digest)
	}
}

func TestIndexHasBothPlatforms(t *testing.T) {
	_, res := sharedBuild(t)
	m, err := res.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		got = append(got, d.Platform.String())
	}
	if strings.Join(got, " ") != "linux/amd64 linux/arm64" {
		t.Errorf("platforms = %v", got)
	}
	if m.Annotations["org.opencontainers.image.revision"] != "abc1234" {
		t.Errorf("index annotations = %v", m.Annotations)
	}
}

func TestConfigRunsAsNonRoot(t *testing.T) {
	_, res := sharedBuild(t)
	for p, img := range res.Images {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Config.User != "65532:65532" {
			t.Errorf("%s: user = %q", p, cf.Config.User)
		}
		if strings.Join(cf.Config.Entrypoint, " ") != "/usr/local/bin/fresnel" {
			t.Errorf("%s: entrypoint = %v", p, cf.Config.Entrypoint)
		}
		if p != cf.OS+"/"+cf.Architecture || !cf.Created.Time.Equal(testEpoch) {
			t.Errorf("%s: config says %s/%s created %v", p, cf.OS, cf.Architecture, cf.Created)
		}
		wantLabels := map[string]string{
			"org.opencontainers.image.source":   "https://example.com/fresnel",
			"org.opencontainers.image.revision": "abc1234",
			"org.opencontainers.image.version":  "v9.8.7-test",
		}
		for k, v := range wantLabels {
			if cf.Config.Labels[k] != v {
				t.Errorf("%s: label %s = %q, want %q", p, k, cf.Config.Labels[k], v)
			}
		}
	}
}

func TestFilesAreFixedAndMinimal(t *testing.T) {
	_, res := sharedBuild(t)
	files := extract(t, res.Images["linux/amd64"])
	var names []string
	for name, f := range files {
		names = append(names, name)
		if !f.hdr.ModTime.Equal(testEpoch) {
			t.Errorf("%s: mtime %v", name, f.hdr.ModTime)
		}
		if f.hdr.Uname != "" || f.hdr.Gname != "" {
			t.Errorf("%s: owner names %q/%q leak from the host", name, f.hdr.Uname, f.hdr.Gname)
		}
	}
	if len(files) != 13 {
		t.Errorf("files = %v, want the 13 entries of baseEntries and binaryEntries", names)
	}
	if bin := lookup(t, files, "usr/local/bin/fresnel"); bin.hdr.Mode != 0o755 || bin.hdr.Uid != 0 {
		t.Errorf("binary mode %o uid %d", bin.hdr.Mode, bin.hdr.Uid)
	}
	if home := lookup(t, files, "home/nonroot"); home.hdr.Uid != nonRootID || home.hdr.Typeflag != tar.TypeDir {
		t.Errorf("home owner = %d, type %c", home.hdr.Uid, home.hdr.Typeflag)
	}
	if tmp := lookup(t, files, "tmp"); tmp.hdr.Mode != 0o1777 {
		t.Errorf("/tmp mode = %o", tmp.hdr.Mode)
	}
	if passwd := lookup(t, files, "etc/passwd"); !strings.Contains(string(passwd.data), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd = %q", passwd.data)
	}
}

func TestCABundleParses(t *testing.T) {
	_, res := sharedBuild(t)
	pemData := lookup(t, extract(t, res.Images["linux/arm64"]), "etc/ssl/certs/ca-certificates.crt").data
	want := 0
	for root := range bundle.Roots() {
		if root.Constraint == nil {
			want++
		}
	}
	var got int
	for rest := pemData; ; {
		var cert *x509.Certificate
		cert, rest = nextCert(t, rest)
		if cert == nil {
			break
		}
		got++
	}
	if got != want || want < 100 {
		t.Errorf("CA bundle: %d certificates, want %d (the unconstrained roots)", got, want)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pemData) {
		t.Error("CA bundle: x509 finds no certificate")
	}
}

func TestBinaryRunsVersion(t *testing.T) {
	_, res := sharedBuild(t)
	img, ok := res.Images["linux/"+runtime.GOARCH]
	if runtime.GOOS != "linux" || !ok {
		t.Skipf("the image has no binary for this host (%s/%s) to run", runtime.GOOS, runtime.GOARCH)
	}
	bin := filepath.Join(t.TempDir(), "fresnel")
	if err := os.WriteFile(bin, lookup(t, extract(t, img), "usr/local/bin/fresnel").data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("fresnel version: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "v9.8.7-test") || !strings.Contains(string(out), "abc1234") {
		t.Errorf("fresnel version = %q, want the stamped version and commit", out)
	}
}

func TestDockerArchiveLoads(t *testing.T) {
	opts, res := sharedBuild(t)
	for p, file := range res.Files.Docker {
		img, err := tarball.ImageFromPath(file, &opts.Ref)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got, _ := img.ConfigName()
		want, _ := res.Images[p].ConfigName()
		if got != want {
			t.Errorf("%s: docker archive config %s, want %s", p, got, want)
		}
	}
}

type file struct {
	hdr  *tar.Header
	data []byte
}

// lookup is the file at name, or a test failure naming what is there.
func lookup(t *testing.T, files map[string]file, name string) file {
	t.Helper()
	f, ok := files[name]
	if !ok {
		var names []string
		for n := range files {
			names = append(names, n)
		}
		t.Fatalf("no %s in the image; it has %v", name, names)
	}
	return f
}

// extract reads the image's flattened file system; folder names lose their
// trailing slash.
func extract(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	files := map[string]file{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimSuffix(hdr.Name, "/")] = file{hdr: hdr, data: data}
	}
}

// nextCert parses the first PEM certificate of data; nil at the end.
func nextCert(t *testing.T, data []byte) (*x509.Certificate, []byte) {
	t.Helper()
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("CA bundle: %v", err)
	}
	return cert, rest
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
