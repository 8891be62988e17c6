package pluginstest

import "github.com/fresnel-ci/fresnel/pkg/event"

// Repo is the repository of the events built here.
var Repo = event.Repo{Owner: "acme", Name: "widgets", FullName: "acme/widgets"}

// CommentEvent is a new comment by user on pull request 7, opened by author.
func CommentEvent(author, user, body string) event.Event {
	return event.Event{
		Provider: "github", Instance: "test", Delivery: "d-1", Kind: event.KindComment, Action: event.ActionCreated,
		Repo: Repo, Number: 7, Author: author, Sender: user, HeadSHA: "0123456789abcdef0123456789abcdef01234567",
		Comment: &event.Comment{ID: "c1", Body: body, Author: user},
	}
}

// PullRequestEvent is action on pull request 7 by sender, opened by author.
func PullRequestEvent(action event.Action, author, sender string) event.Event {
	return event.Event{
		Provider: "github", Instance: "test", Delivery: "d-2", Kind: event.KindPullRequest, Action: action,
		Repo: Repo, Number: 7, Author: author, Sender: sender, HeadSHA: "0123456789abcdef0123456789abcdef01234567",
	}
}
