#!/usr/bin/env python3
"""Writes the oracle cases (cases/<name>/) from the table below, using
go-scm's recorded GitHub payloads as templates. Run it once when the table
changes, then record.sh to store Prow's answers."""
import copy, json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOSCM = subprocess.check_output(["go", "list", "-m", "-f", "{{.Dir}}", "github.com/jenkins-x/go-scm"], cwd=HERE, text=True).strip()
WEBHOOKS = os.path.join(GOSCM, "scm", "driver", "github", "testdata", "webhooks")
OWNER, NAME = "acme", "widgets"
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


def template(name):
    with open(os.path.join(WEBHOOKS, name)) as f:
        return json.load(f)


def set_repo(repo):
    repo["name"], repo["full_name"] = NAME, OWNER + "/" + NAME
    repo["owner"]["login"] = OWNER
    if "name" in repo["owner"]:
        repo["owner"]["name"] = OWNER


def pull_request(base="main", draft=False, mergeable=None, state="open", body=""):
    pr = copy.deepcopy(template("pr_opened.json")["pull_request"])
    pr["number"], pr["state"], pr["draft"], pr["mergeable"], pr["body"] = 1, state, draft, mergeable, body
    pr["base"]["ref"], pr["head"]["sha"], pr["user"]["login"] = base, HEAD, "alice"
    set_repo(pr["base"]["repo"])
    set_repo(pr["head"]["repo"])
    return pr


def pr_event(action, label=None, changes=None, **kw):
    m = template("pr_opened.json")
    m["action"], m["number"] = action, 1
    m["pull_request"] = pull_request(**kw)
    set_repo(m["repository"])
    m["sender"]["login"] = "alice"
    if label:
        m["label"] = {"name": label, "color": "ededed"}
    if changes:
        m["changes"] = changes
    return "pull_request", m


def comment(body, action="created", **kw):
    m = template("issue_comment.json")
    pr = pull_request(**kw)
    m["action"] = action
    m["issue"]["number"], m["issue"]["state"], m["issue"]["user"]["login"] = 1, pr["state"], "alice"
    m["issue"]["pull_request"] = {"url": "https://api.github.com/repos/acme/widgets/pulls/1"}
    m["comment"]["body"], m["comment"]["user"]["login"] = body, "bob"
    m["sender"]["login"] = "bob"
    set_repo(m["repository"])
    m["pull_request"] = pr  # stands in for the pull request read from the API
    return "issue_comment", m


def push(ref, files=(), deleted=False):
    m = template("push.json")
    m["ref"], m["deleted"] = ref, deleted
    m["after"] = "0" * 40 if deleted else HEAD
    commit = {"id": HEAD, "tree_id": HEAD, "distinct": True, "message": "Update", "timestamp": "2024-05-01T10:00:00Z",
              "url": "https://github.com/acme/widgets/commit/" + HEAD, "author": {"name": "alice", "email": "alice@example.com", "username": "alice"},
              "committer": {"name": "alice", "email": "alice@example.com", "username": "alice"},
              "added": [], "removed": [], "modified": list(files)}
    m["commits"] = [] if deleted else [commit]
    m["head_commit"] = None if deleted else commit
    set_repo(m["repository"])
    return "push", m


BASE_CHANGE = {"base": {"ref": {"from": "develop"}, "sha": {"from": "0" * 40}}}
CODE, DOCS, README = ["main.go"], ["docs/guide.md"], ["README.md"]

CASES = {
    # pull request events
    "pr-opened-code": (pr_event("opened"), CODE),
    "pr-opened-docs": (pr_event("opened"), DOCS),
    "pr-opened-readme": (pr_event("opened"), README),
    "pr-opened-no-files": (pr_event("opened"), []),
    "pr-opened-release-branch": (pr_event("opened", base="release-1.2"), CODE),
    "pr-synchronize": (pr_event("synchronize"), CODE),
    "pr-reopened": (pr_event("reopened"), DOCS),
    "pr-ready-for-review": (pr_event("ready_for_review"), CODE),
    "pr-opened-draft": (pr_event("opened", draft=True), CODE),
    "pr-synchronize-draft": (pr_event("synchronize", draft=True), CODE),
    "pr-converted-to-draft": (pr_event("converted_to_draft", draft=True), CODE),
    "pr-edited-base-changed": (pr_event("edited", changes=BASE_CHANGE), CODE),
    "pr-edited-base-changed-draft": (pr_event("edited", changes=BASE_CHANGE, draft=True), CODE),
    "pr-edited-title": (pr_event("edited", changes={"title": {"from": "old title"}}), CODE),
    "pr-edited-body-command": (pr_event("edited", changes={"body": {"from": ""}}, body="/test manual"), CODE),
    "pr-labeled-ok-to-test": (pr_event("labeled", label="ok-to-test"), CODE),
    "pr-labeled-ok-to-test-draft": (pr_event("labeled", label="ok-to-test", draft=True), CODE),
    "pr-labeled-other": (pr_event("labeled", label="kind/bug"), CODE),
    "pr-unlabeled": (pr_event("unlabeled", label="ok-to-test"), CODE),
    "pr-closed": (pr_event("closed", state="closed"), CODE),
    "pr-opened-unmergeable": (pr_event("opened", mergeable=False), CODE),
    "pr-synchronize-unmergeable": (pr_event("synchronize", mergeable=False), CODE),
    "pr-synchronize-mergeable": (pr_event("synchronize", mergeable=True), CODE),
    "pr-opened-body-test-manual": (pr_event("opened", body="Adds a flag.\n\n/test manual"), CODE),
    "pr-opened-body-crlf": (pr_event("opened", body="Adds a flag.\r\n/test manual\r\n"), CODE),
    "pr-opened-draft-body-test-all": (pr_event("opened", draft=True, body="/test all"), DOCS),
    "pr-opened-draft-body-test-docs": (pr_event("opened", draft=True, body="/test docs"), CODE),
    "pr-opened-body-help": (pr_event("opened", body="/test"), CODE),
    "pr-opened-body-retest": (pr_event("opened", body="/retest"), CODE),
    "pr-opened-unmergeable-body-test": (pr_event("opened", mergeable=False, body="/test manual"), CODE),
    # comments
    "comment-test-manual": (comment("/test manual"), CODE),
    "comment-test-two-jobs": (comment("/test manual docs"), CODE),
    "comment-test-all": (comment("/test all"), CODE),
    "comment-test-all-docs": (comment("/test all"), DOCS),
    "comment-test-all-crlf": (comment("/test all\r\n"), CODE),
    "comment-test-crlf": (comment("/test manual\r\n"), CODE),
    "comment-test-middle": (comment("Looks good.\n/test manual-optional\nthanks"), CODE),
    "comment-test-not-line-start": (comment("please /test manual"), CODE),
    "comment-retest": (comment("/retest"), CODE),
    "comment-retest-crlf": (comment("/retest\r\n"), DOCS),
    "comment-retest-required": (comment("/retest-required"), CODE),
    "comment-ok-to-test": (comment("/ok-to-test"), CODE),
    "comment-ok-to-test-crlf": (comment("/ok-to-test\r\n"), README),
    "comment-test-unknown": (comment("/test nosuchjob"), CODE),
    "comment-test-empty": (comment("/test"), CODE),
    "comment-test-help": (comment("/test ?"), CODE),
    "comment-retest-target": (comment("/retest unit"), CODE),
    "comment-test-wrong-branch": (comment("/test release"), CODE),
    "comment-test-release-branch": (comment("/test release", base="release-2"), CODE),
    "comment-test-and-empty": (comment("/test manual\n/test"), CODE),
    "comment-closed-pr": (comment("/test all", state="closed"), CODE),
    "comment-edited": (comment("/test manual", action="edited"), CODE),
    "comment-draft-test-all": (comment("/test all", draft=True), CODE),
    "comment-draft-test-manual": (comment("/test manual", draft=True), CODE),
    "comment-unmergeable": (comment("/test unit", mergeable=False), CODE),
    "comment-custom-trigger": (comment("/build"), CODE),
    "comment-test-image": (comment("/test image"), CODE),
    "comment-test-explicit-false": (comment("/test explicit-false"), CODE),
    "comment-plain": (comment("Nice work!"), CODE),
    "comment-lgtm": (comment("/lgtm"), CODE),
    "comment-test-trailing-comma": (comment("/test manual,"), CODE),
    "comment-test-double-space": (comment("/test  manual"), CODE),
    "comment-test-uppercase": (comment("/TEST manual"), CODE),
    "comment-test-prefix-of-another": (comment("/test manual-optional"), CODE),
    "comment-test-optional-always-run": (comment("/test lint"), CODE),
    "comment-test-and-retest": (comment("/test manual\n/retest"), DOCS),
    "comment-test-all-no-files": (comment("/test all"), []),
    "comment-retest-release-branch": (comment("/retest", base="release-1.0"), README),
    "comment-ok-to-test-draft": (comment("/ok-to-test", draft=True), CODE),
    "comment-test-all-trailing-text": (comment("/test all please"), CODE),
    "pr-reopened-draft": (pr_event("reopened", draft=True), CODE),
    "pr-ready-for-review-body-command": (pr_event("ready_for_review", body="/test manual"), CODE),
    "pr-opened-body-ok-to-test": (pr_event("opened", body="/ok-to-test"), README),
    "pr-opened-maintenance-branch": (pr_event("opened", base="maintenance"), CODE),
    # pushes
    "push-release-branch": (push("refs/heads/release-1.2", CODE), CODE),
    "push-main-no-files": (push("refs/heads/main", []), []),
    "push-main-code": (push("refs/heads/main", CODE), CODE),
    "push-main-docs": (push("refs/heads/main", DOCS), DOCS),
    "push-main-readme": (push("refs/heads/main", README), README),
    "push-feature-branch": (push("refs/heads/feature/x", CODE), CODE),
    "push-tag": (push("refs/tags/v1.2.0", CODE), CODE),
    "push-deleted": (push("refs/heads/main", deleted=True), []),
}


def main():
    out = os.path.join(HERE, "cases")
    shutil.rmtree(out, ignore_errors=True)
    for name, ((event, payload), files) in sorted(CASES.items()):
        d = os.path.join(out, name)
        os.makedirs(d)
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump({"config": "widgets.yaml", "event": event}, f, indent=2)
            f.write("\n")
        with open(os.path.join(d, "payload.json"), "w") as f:
            json.dump(payload, f, indent=2)
            f.write("\n")
        with open(os.path.join(d, "changed-files.txt"), "w") as f:
            f.write("".join(x + "\n" for x in files))
    print(len(CASES), "cases written to", out, file=sys.stderr)


if __name__ == "__main__":
    main()
