package domain

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

var (
	t0      = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	visitor = contracts.Author{Type: contracts.AuthorVisitor, ID: "v1", Name: "Vera"}
	agent   = contracts.Author{Type: contracts.AuthorAgent, ID: "a1", Name: "Ann"}
	botty   = contracts.Author{Type: contracts.AuthorBot, ID: "bot", Name: "Bot"}
)

func ptr[T any](v T) *T { return &v }

func TestAppend(t *testing.T) {
	later := t0.Add(time.Hour)
	cases := []struct {
		name  string
		start Conversation
		post  Post
		want  func(c Conversation) Conversation
		did   Appended
	}{
		{
			name:  "a visitor's message counts as unread and becomes the preview",
			start: Conversation{Status: contracts.StatusOpen, LastSeq: 4, UnreadCount: 1, AgentReadSeq: 3},
			post:  Post{Seq: 5, Author: visitor, Preview: "hello"},
			want: func(c Conversation) Conversation {
				c.LastSeq, c.UnreadCount, c.VisitorReadSeq = 5, 2, 5
				c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = 5, "hello", "visitor", "v1", "Vera"
				return c
			},
		},
		{
			name:  "a visitor's message reopens a snoozed conversation",
			start: Conversation{Status: contracts.StatusSnoozed, SnoozeUntil: ptr(later), LastSeq: 1},
			post:  Post{Seq: 2, Author: visitor, Preview: "back"},
			did:   Appended{ReopenedFrom: contracts.StatusSnoozed},
			want: func(c Conversation) Conversation {
				c.Status, c.SnoozeUntil, c.LastSeq, c.UnreadCount, c.VisitorReadSeq = contracts.StatusOpen, nil, 2, 1, 2
				c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = 2, "back", "visitor", "v1", "Vera"
				return c
			},
		},
		{
			name:  "a visitor's message reopens a resolved one and drops its unanswered survey",
			start: Conversation{Status: contracts.StatusResolved, Resolutions: 1, SurveyResolution: 1, SurveyScale: contracts.ScaleFive, LastSeq: 7},
			post:  Post{Seq: 8, Author: visitor, Preview: "one more thing"},
			did:   Appended{ReopenedFrom: contracts.StatusResolved},
			want: func(c Conversation) Conversation {
				c.Status, c.SurveyResolution, c.SurveyScale = contracts.StatusOpen, 0, ""
				c.LastSeq, c.UnreadCount, c.VisitorReadSeq = 8, 1, 8
				c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = 8, "one more thing", "visitor", "v1", "Vera"
				return c
			},
		},
		{
			name:  "an agent's public reply reads everything and claims an unassigned conversation",
			start: Conversation{Status: contracts.StatusOpen, LastSeq: 3, UnreadCount: 3},
			post:  Post{Seq: 4, Author: agent, Preview: "hi"},
			did:   Appended{Claimed: true},
			want: func(c Conversation) Conversation {
				c.AssigneeID, c.LastSeq, c.UnreadCount, c.AgentReadSeq = ptr("a1"), 4, 0, 4
				c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = 4, "hi", "agent", "a1", "Ann"
				return c
			},
		},
		{
			name:  "an agent's reply leaves another agent's conversation theirs",
			start: Conversation{Status: contracts.StatusOpen, AssigneeID: ptr("a2"), LastSeq: 3, UnreadCount: 1},
			post:  Post{Seq: 4, Author: agent, Preview: "hi"},
			want: func(c Conversation) Conversation {
				c.LastSeq, c.UnreadCount, c.AgentReadSeq = 4, 0, 4
				c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = 4, "hi", "agent", "a1", "Ann"
				return c
			},
		},
		{
			name:  "a private note claims nothing and changes no preview",
			start: Conversation{Status: contracts.StatusPending, LastSeq: 3, UnreadCount: 2, PreviewSeq: 3, PreviewBody: "old"},
			post:  Post{Seq: 4, Author: agent, Private: true},
			want: func(c Conversation) Conversation {
				c.LastSeq, c.UnreadCount, c.AgentReadSeq = 4, 0, 4
				return c
			},
		},
		{
			name:  "the bot's message neither counts as unread nor claims",
			start: Conversation{Status: contracts.StatusOpen, Handoff: contracts.HandoffBot, LastSeq: 1, UnreadCount: 1},
			post:  Post{Seq: 2, Author: botty, Preview: "Hi! How can I help?"},
			want: func(c Conversation) Conversation {
				c.LastSeq = 2
				c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = 2, "Hi! How can I help?", "bot", "bot", "Bot"
				return c
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.start
			did := c.Append(tc.post, later)
			want := tc.want(tc.start)
			want.LastActivityAt, want.UpdatedAt = later, later
			if !tc.post.Private {
				want.PreviewAt = &later
			}
			if did != tc.did {
				t.Errorf("Append did %+v, want %+v", did, tc.did)
			}
			if !same(c, want) {
				t.Errorf("after Append:\n got %+v\nwant %+v", c, want)
			}
			if hot := c.OnlyHotChanged(tc.start); hot != (tc.did == Appended{}) {
				t.Errorf("OnlyHotChanged = %v, but Append did %+v", hot, did)
			}
		})
	}
}

func same(a, b Conversation) bool {
	return a.OnlyHotChanged(b) && a.LastSeq == b.LastSeq && a.UnreadCount == b.UnreadCount &&
		a.AgentReadSeq == b.AgentReadSeq && a.VisitorReadSeq == b.VisitorReadSeq && a.PreviewSeq == b.PreviewSeq &&
		a.PreviewBody == b.PreviewBody && a.PreviewAuthorType == b.PreviewAuthorType && a.PreviewAuthorID == b.PreviewAuthorID &&
		a.PreviewAuthorName == b.PreviewAuthorName && sameTime(a.PreviewAt, b.PreviewAt) &&
		a.LastActivityAt.Equal(b.LastActivityAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func TestSetStatus(t *testing.T) {
	until := t0.Add(24 * time.Hour)
	cases := []struct {
		name      string
		start     Conversation
		status    string
		until     *time.Time
		scale     string
		wantRes   int
		wantSurv  int
		wantScale string
	}{
		{"resolving counts a resolution", Conversation{Status: contracts.StatusOpen}, contracts.StatusResolved, nil, "", 1, 0, ""},
		{"resolving with surveys on opens that resolution's survey", Conversation{Status: contracts.StatusOpen, Resolutions: 2}, contracts.StatusResolved, nil, contracts.ScaleThumbs, 3, 3, contracts.ScaleThumbs},
		{"resolving again counts nothing", Conversation{Status: contracts.StatusResolved, Resolutions: 1, SurveyResolution: 1, SurveyScale: "five"}, contracts.StatusResolved, nil, "five", 1, 1, "five"},
		{"reopening drops the unanswered survey", Conversation{Status: contracts.StatusResolved, Resolutions: 1, SurveyResolution: 1, SurveyScale: "five"}, contracts.StatusOpen, nil, "five", 1, 0, ""},
		{"snoozing keeps the time", Conversation{Status: contracts.StatusOpen}, contracts.StatusSnoozed, &until, "", 0, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.start
			from := c.SetStatus(tc.status, tc.until, tc.scale)
			if from != tc.start.Status || c.Status != tc.status {
				t.Fatalf("SetStatus from %q to %q gave from=%q status=%q", tc.start.Status, tc.status, from, c.Status)
			}
			if c.Resolutions != tc.wantRes || c.SurveyResolution != tc.wantSurv || c.SurveyScale != tc.wantScale {
				t.Errorf("resolutions %d, survey %d %q; want %d, %d %q", c.Resolutions, c.SurveyResolution, c.SurveyScale, tc.wantRes, tc.wantSurv, tc.wantScale)
			}
			if !sameTime(c.SnoozeUntil, tc.until) {
				t.Errorf("snooze_until %v, want %v", c.SnoozeUntil, tc.until)
			}
		})
	}
}

func TestSnoozeRefusesThePastAndFarFuture(t *testing.T) {
	for _, until := range []time.Time{t0.Add(-time.Minute), t0, t0.Add(MaxSnooze + time.Hour)} {
		c := Conversation{Status: contracts.StatusOpen}
		if err := c.Snooze(until, t0); err == nil || c.Status != contracts.StatusOpen {
			t.Errorf("Snooze(%v) = %v, status %q", until, err, c.Status)
		}
	}
	c := Conversation{Status: contracts.StatusOpen}
	if err := c.Snooze(t0.Add(time.Hour), t0); err != nil || c.Status != contracts.StatusSnoozed || c.SnoozeUntil == nil {
		t.Fatalf("Snooze an hour ahead = %v, %+v", err, c)
	}
	if from := c.Reopen(); from != contracts.StatusSnoozed || c.Status != contracts.StatusOpen || c.SnoozeUntil != nil {
		t.Fatalf("Reopen = %q, %+v", from, c)
	}
	if from := c.Reopen(); from != "" {
		t.Fatalf("Reopen of an open conversation = %q", from)
	}
}

func TestHandOff(t *testing.T) {
	c := Conversation{Status: contracts.StatusOpen, Handoff: contracts.HandoffBot, BotState: `{"q":1}`, BotMisses: 2, AssigneeID: ptr("a9")}
	c.HandToQueue(t0)
	if c.Handoff != contracts.HandoffQueued || c.Assignee() != "" || c.BotMisses != 0 || c.QueuedAt == nil || !c.Waiting() {
		t.Fatalf("HandToQueue: %+v", c)
	}
	if c.OnlyHotChanged(Conversation{Status: contracts.StatusOpen, Handoff: contracts.HandoffBot}) {
		t.Fatal("a hand-off is not a hot-field change")
	}
	c.HandToAgent("a1", t0.Add(time.Minute))
	if c.Handoff != contracts.HandoffAgent || c.Assignee() != "a1" || c.BotState != "" || c.HandedAt == nil || c.Waiting() {
		t.Fatalf("HandToAgent: %+v", c)
	}
	if c.Claim("a2") || c.Assignee() != "a1" {
		t.Fatal("Claim took a conversation that has an assignee")
	}
	if c.NextSeq() != 1 {
		t.Fatalf("NextSeq of an empty conversation = %d", c.NextSeq())
	}
}
