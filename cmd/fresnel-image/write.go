package main

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// outputs are the files a build writes under opts.Out.
type outputs struct {
	// Layout is an OCI image layout folder whose index.json holds one entry,
	// the multi-arch index (crane push DIR REF; skopeo copy --all oci:DIR:TAG).
	Layout string
	// Archive is the same layout as one tar file (skopeo copy --all oci-archive:FILE).
	Archive string
	// Docker holds one docker archive per platform (docker load -i FILE), by platform.
	Docker map[string]string
	// DigestFile holds the index digest, sha256:..., for pinning.
	DigestFile string
}

// writeOutputs replaces the build's files under opts.Out.
func writeOutputs(opts options, res result) (outputs, error) {
	out := outputs{
		Layout:     filepath.Join(opts.Out, "oci"),
		Archive:    filepath.Join(opts.Out, "fresnel-oci.tar"),
		Docker:     map[string]string{},
		DigestFile: filepath.Join(opts.Out, "digest"),
	}
	if err := writeLayout(out.Layout, opts.Ref, res.Index); err != nil {
		return out, err
	}
	if err := writeArchive(out.Archive, out.Layout, opts); err != nil {
		return out, err
	}
	for _, p := range opts.Platforms {
		file := filepath.Join(opts.Out, fmt.Sprintf("fresnel-%s-%s.docker.tar", p.OS, p.Architecture))
		if err := tarball.WriteToFile(file, opts.Ref, res.Images[p.String()]); err != nil {
			return out, fmt.Errorf("write: docker archive %s: %w", p, err)
		}
		out.Docker[p.String()] = file
	}
	if err := os.WriteFile(out.DigestFile, []byte(res.Digest.String()+"\n"), 0o644); err != nil {
		return out, fmt.Errorf("write: %w", err)
	}
	return out, nil
}

// writeLayout writes a fresh OCI layout whose one entry is the index, named
// by its tag (OCI ref.name) and its full reference (containerd's image name).
func writeLayout(dir string, ref name.Tag, idx v1.ImageIndex) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("write: layout: %w", err)
	}
	path, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("write: layout: %w", err)
	}
	names := layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": ref.TagStr(),
		"io.containerd.image.name":          ref.Name(),
	})
	if err := path.AppendIndex(idx, names); err != nil {
		return fmt.Errorf("write: layout: %w", err)
	}
	return nil
}

// writeArchive packs the layout folder into one tar with sorted names, fixed
// times and owners, so the archive is as reproducible as the index.
func writeArchive(file, dir string, opts options) error {
	paths, err := layoutFiles(dir)
	if err != nil {
		return fmt.Errorf("write: archive: %w", err)
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("write: archive: %w", err)
	}
	tw := tar.NewWriter(f)
	for _, rel := range paths {
		if err := archiveFile(tw, dir, rel, opts); err != nil {
			f.Close()
			return fmt.Errorf("write: archive: %s: %w", rel, err)
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("write: archive: %w", err)
	}
	return f.Close()
}

// layoutFiles lists the regular files under dir, slash-separated and sorted.
func layoutFiles(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		paths = append(paths, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(paths)
	return paths, err
}

func archiveFile(tw *tar.Writer, dir, rel string, opts options) error {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: rel, Typeflag: tar.TypeReg, Mode: 0o644, Size: st.Size(), ModTime: opts.Epoch, Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// report prints what was written and the reference to pin.
func report(w io.Writer, opts options, res result) {
	fmt.Fprintf(w, "image %s@%s\n", opts.Ref.Name(), res.Digest)
	fmt.Fprintf(w, "  oci layout   %s\n", res.Files.Layout)
	fmt.Fprintf(w, "  oci archive  %s\n", res.Files.Archive)
	for _, p := range opts.Platforms {
		fmt.Fprintf(w, "  docker %-13s %s\n", p.String(), res.Files.Docker[p.String()])
	}
}

// push sends the index and its images to opts.Ref with credentials from the
// docker config ($DOCKER_CONFIG or ~/.docker/config.json), if any.
func push(ctx context.Context, opts options, res result) error {
	err := remote.WriteIndex(opts.Ref, res.Index, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return fmt.Errorf("push %s: %w", opts.Ref, err)
	}
	return nil
}
