package domain

import (
	"slices"
	"time"
)

// Agent is an agent as routing sees it.
type Agent struct {
	ID             string
	Open           int // open or pending conversations assigned now
	LastAssignedAt time.Time
}

// Assignment gives a queued conversation to an agent.
type Assignment struct {
	ConversationID string
	AgentID        string
}

// Route hands queued conversations (oldest first) to online agents by round
// robin: the agent who was given a conversation longest ago goes first, and
// an agent at limit open conversations (0: no limit) is skipped. What cannot
// be placed stays queued.
func Route(queue []string, online []Agent, limit int, now time.Time) []Assignment {
	agents := slices.Clone(online)
	slices.SortStableFunc(agents, func(a, b Agent) int {
		if c := a.LastAssignedAt.Compare(b.LastAssignedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	var out []Assignment
	for _, conv := range queue {
		i := slices.IndexFunc(agents, func(a Agent) bool { return limit == 0 || a.Open < limit })
		if i < 0 {
			break
		}
		a := agents[i]
		out = append(out, Assignment{ConversationID: conv, AgentID: a.ID})
		a.Open++
		a.LastAssignedAt = now
		agents = append(append(agents[:i:i], agents[i+1:]...), a) // to the back of the line
	}
	return out
}
