package main

import (
	"strings"
	"testing"
	"time"
)

func TestParsePlatforms(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    string
		wantErr string
	}{
		"two":          {in: "linux/amd64,linux/arm64", want: "linux/amd64 linux/arm64"},
		"spaces":       {in: " linux/arm64 , linux/amd64", want: "linux/arm64 linux/amd64"},
		"not linux":    {in: "windows/amd64", wantErr: "not linux/ARCH"},
		"no arch":      {in: "linux", wantErr: "not linux/ARCH"},
		"with variant": {in: "linux/arm/v7", wantErr: "not linux/ARCH"},
		"empty item":   {in: "linux/amd64,", wantErr: "not linux/ARCH"},
		"twice":        {in: "linux/amd64,linux/amd64", wantErr: "listed twice"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parsePlatforms(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			var names []string
			for _, p := range got {
				names = append(names, p.String())
			}
			if err != nil || strings.Join(names, " ") != tc.want {
				t.Errorf("got %v, %v; want %s", names, err, tc.want)
			}
		})
	}
}

func TestParseEpoch(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		"unset":    {in: "", want: time.Unix(0, 0)},
		"seconds":  {in: "1772366400", want: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)},
		"negative": {in: "-1", wantErr: true},
		"date":     {in: "2026-03-01", wantErr: true},
		"too big":  {in: "99999999999999", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseEpoch(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && (!got.Equal(tc.want) || got.Location() != time.UTC) {
				t.Errorf("got %v, want %v in UTC", got, tc.want)
			}
		})
	}
}

func TestImageRef(t *testing.T) {
	tests := map[string]struct {
		repo, tag, version string
		want               string
		wantErr            bool
	}{
		"release drops v":  {repo: "ghcr.io/fresnel-ci/fresnel", version: "v0.1.0", want: "ghcr.io/fresnel-ci/fresnel:0.1.0"},
		"describe output":  {repo: "ghcr.io/fresnel-ci/fresnel", version: "v0.1.0-3-gabc1234-dirty", want: "ghcr.io/fresnel-ci/fresnel:0.1.0-3-gabc1234-dirty"},
		"explicit tag":     {repo: "registry.example:5000/team/fresnel", tag: "edge", version: "v1", want: "registry.example:5000/team/fresnel:edge"},
		"tag in repo":      {repo: "registry.example:5000/fresnel:pr-12", version: "v1", want: "registry.example:5000/fresnel:pr-12"},
		"bad tag":          {repo: "ghcr.io/fresnel-ci/fresnel", version: "v1+build", wantErr: true},
		"bad repository":   {repo: "Upper/Case", version: "v1", wantErr: true},
		"empty everything": {repo: "", version: "", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := imageRef(tc.repo, tc.tag, tc.version)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got.Name() != tc.want {
				t.Errorf("got %s, want %s", got.Name(), tc.want)
			}
		})
	}
}

func TestParseFlagsRejectsBadInput(t *testing.T) {
	tests := map[string]struct {
		args    []string
		env     string
		wantErr string
	}{
		"unknown flag":   {args: []string{"-nope"}, wantErr: "flags:"},
		"extra argument": {args: []string{"extra"}, wantErr: "unexpected argument"},
		"bad env epoch":  {env: "yesterday", wantErr: "epoch:"},
		"empty out":      {args: []string{"-out", ""}, wantErr: "-out"},
		"bad platform":   {args: []string{"-platforms", "darwin/arm64"}, wantErr: "platforms:"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseFlags(tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	opts, err := parseFlags([]string{"-version", "v2.0.0", "-commit", "deadbee"}, "1700000000")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Ref.Name() != "ghcr.io/fresnel-ci/fresnel:2.0.0" || opts.Epoch.Unix() != 1700000000 || len(opts.Platforms) != 2 || opts.Push {
		t.Errorf("defaults = ref %s epoch %d platforms %v push %v", opts.Ref.Name(), opts.Epoch.Unix(), opts.Platforms, opts.Push)
	}
}
