package main

import (
	"context"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// result is what a build made.
type result struct {
	Index  v1.ImageIndex
	Digest v1.Hash
	Images map[string]v1.Image // by platform, e.g. "linux/amd64"
	Files  outputs
}

// build compiles, assembles and writes the image; see writeOutputs for the files.
func build(ctx context.Context, opts options) (result, error) {
	tmp, err := os.MkdirTemp("", "fresnel-image-")
	if err != nil {
		return result{}, fmt.Errorf("build: %w", err)
	}
	defer os.RemoveAll(tmp)
	base, err := layerOf(baseEntries(), opts.Epoch)
	if err != nil {
		return result{}, err
	}
	res := result{Images: map[string]v1.Image{}}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range opts.Platforms {
		img, err := platformImage(ctx, opts, p, base, tmp)
		if err != nil {
			return result{}, err
		}
		res.Images[p.String()] = img
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	res.Index = mutate.Annotations(idx, annotations(opts)).(v1.ImageIndex)
	if res.Digest, err = res.Index.Digest(); err != nil {
		return result{}, fmt.Errorf("build: index digest: %w", err)
	}
	res.Files, err = writeOutputs(opts, res)
	return res, err
}

// platformImage is one platform's image: the shared base layer and a layer
// with that platform's binary.
func platformImage(ctx context.Context, opts options, p v1.Platform, base v1.Layer, tmp string) (v1.Image, error) {
	bin, err := compile(ctx, opts, p, tmp)
	if err != nil {
		return nil, err
	}
	app, err := layerOf(binaryEntries(bin), opts.Epoch)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: opts.Epoch}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{Created: created, CreatedBy: "fresnel-image: users, CA certificates"}},
		mutate.Addendum{Layer: app, MediaType: types.OCILayer, History: v1.History{Created: created, CreatedBy: "fresnel-image: " + binaryPath}},
	)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", p, err)
	}
	return configure(img, opts, p)
}

// configure sets the run configuration: non-root user, entrypoint, labels,
// platform and creation time.
func configure(img v1.Image, opts options, p v1.Platform) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image %s: config: %w", p, err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: opts.Epoch}
	cf.Config = v1.Config{
		User:       fmt.Sprintf("%d:%d", nonRootID, nonRootID),
		Entrypoint: []string{binaryPath},
		Env:        []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		WorkingDir: nonRootDir,
		Labels:     annotations(opts),
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image %s: config: %w", p, err)
	}
	return mutate.Annotations(img, annotations(opts)).(v1.Image), nil
}

// annotations are the OCI labels on each config, manifest and the index.
func annotations(opts options) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "fresnel",
		"org.opencontainers.image.description": "Webhook router for Tekton with Prow-compatible configuration",
		"org.opencontainers.image.source":      opts.Source,
		"org.opencontainers.image.revision":    opts.Commit,
		"org.opencontainers.image.version":     opts.Version,
		"org.opencontainers.image.created":     opts.Epoch.Format("2006-01-02T15:04:05Z"),
	}
}
