package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The image's fixed paths and user.
const (
	binaryPath = "/usr/local/bin/fresnel"
	caBundle   = "/etc/ssl/certs/ca-certificates.crt"
	nonRootID  = 65532
	nonRootDir = "/home/nonroot"
)

// entry is one file or folder of a layer. Every entry gets the same time;
// owner and mode are set per entry, never taken from the host.
type entry struct {
	path string // without the leading slash
	mode int64
	uid  int
	dir  bool
	data []byte
}

// baseEntries are the files every platform shares: users, groups, the CA
// bundle, a home for the non-root user and /tmp.
func baseEntries() []entry {
	return []entry{
		{path: "etc", mode: 0o755, dir: true},
		{path: "etc/group", mode: 0o644, data: []byte(groupFile())},
		{path: "etc/passwd", mode: 0o644, data: []byte(passwdFile())},
		{path: "etc/ssl", mode: 0o755, dir: true},
		{path: "etc/ssl/certs", mode: 0o755, dir: true},
		{path: caBundle[1:], mode: 0o644, data: caBundlePEM()},
		{path: "home", mode: 0o755, dir: true},
		{path: nonRootDir[1:], mode: 0o700, uid: nonRootID, dir: true},
		{path: "tmp", mode: 0o1777, dir: true},
	}
}

// binaryEntries put the fresnel binary at binaryPath, owned by root, so the
// non-root user can run it but not change it.
func binaryEntries(binary []byte) []entry {
	return []entry{
		{path: "usr", mode: 0o755, dir: true},
		{path: "usr/local", mode: 0o755, dir: true},
		{path: "usr/local/bin", mode: 0o755, dir: true},
		{path: binaryPath[1:], mode: 0o755, data: binary},
	}
}

func passwdFile() string {
	return "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("nonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", nonRootID, nonRootID, nonRootDir)
}

func groupFile() string {
	return fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", nonRootID)
}

// caBundlePEM writes the roots of the pinned x509roots/fallback module as
// PEM. Roots that carry a distrust-after constraint are left out: a PEM
// bundle cannot say "trusted only for certificates issued before a date".
func caBundlePEM() []byte {
	var buf bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		// pem.Encode into a bytes.Buffer cannot fail.
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return buf.Bytes()
}

// tarEntries writes the entries as an uncompressed tar with fixed times.
func tarEntries(entries []entry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if err := writeEntry(tw, e, mtime); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", e.path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	return buf.Bytes(), nil
}

func writeEntry(tw *tar.Writer, e entry, mtime time.Time) error {
	hdr := &tar.Header{
		Name:    e.path,
		Mode:    e.mode,
		Uid:     e.uid,
		Gid:     e.uid,
		ModTime: mtime,
		Format:  tar.FormatUSTAR,
	}
	if e.dir {
		hdr.Typeflag, hdr.Name = tar.TypeDir, e.path+"/"
	} else {
		hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.data))
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := tw.Write(e.data)
	return err
}

// layerOf turns entries into a gzip-compressed OCI layer, compressed once.
func layerOf(entries []entry, mtime time.Time) (v1.Layer, error) {
	raw, err := tarEntries(entries, mtime)
	if err != nil {
		return nil, err
	}
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	l, err := tarball.LayerFromOpener(open, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	return l, nil
}
