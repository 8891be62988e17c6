package settings

// Decoration configures what fresnel adds to decorated (decorate: true)
// Prow pod-spec jobs.
type Decoration struct {
	// CloneImage runs the step that clones a decorated job's refs: any
	// image with sh and git. Empty means launch.DefaultCloneImage.
	CloneImage string `json:"cloneImage,omitempty"`
}
