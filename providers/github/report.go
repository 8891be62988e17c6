package github

// Reporting goes through the embedded scmclient.Client: commit statuses
// (POST /repos/{owner}/{repo}/statuses/{sha}), issue comments, the pull
// request's files and the pull request itself.
