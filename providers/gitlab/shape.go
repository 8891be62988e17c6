package gitlab

// requiredObjects are the fields, by X-Gitlab-Event, that must be JSON
// objects before go-scm reads a body: it dereferences them unchecked.
var requiredObjects = map[string][]string{
	mergeRequestHook: {"object_attributes", "object_attributes.source", "object_attributes.target"},
}
