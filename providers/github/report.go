package github

// Reporting goes through the embedded scmclient.Client: commit statuses
// (POST /repos/{owner}/{repo}/statuses/{sha}), issue comments, the pull
// request's files and the pull request itself. An instance that acts as a
// GitHub App reports check runs instead (checks.go), and both mark the
// contexts of jobs that did not need to run as skipped.
