package scmclient

// EntryName exposes entryName to the external tests.
var EntryName = entryName
