package gateway_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// The widget's "How did we do?" answer reaches the conversation service as
// the visitor's own rating; bad bodies stop at the gateway, and the
// service's refusals (another visitor's conversation, a second rating, a bad
// score) come back with their status and field.
func TestWidgetRating(t *testing.T) {
	h := newHarness(t, nil)
	tenant, owner, conv := ids.New(), ids.New(), ids.New()
	rated := map[int]bool{}
	serve(h, contracts.ConversationRate, func(r contracts.RateRequest) (contracts.VisitorConversation, error) {
		switch {
		case r.Actor.TenantID != tenant || r.Actor.ID != owner || r.ConversationID != conv:
			return contracts.VisitorConversation{}, apperr.NotFoundf("conversation not found")
		case r.Score < 1 || r.Score > 5:
			return contracts.VisitorConversation{}, apperr.InvalidField("score", "score must be 1 to 5")
		case rated[r.Resolution]:
			return contracts.VisitorConversation{}, apperr.New(apperr.Conflict, "this resolution was rated already")
		}
		rated[r.Resolution] = true
		at := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
		return contracts.VisitorConversation{ID: conv, Status: contracts.StatusResolved, Handoff: "agent", LastSeq: 3, CreatedAt: at, LastActivityAt: at,
			Rating: &contracts.Rating{Score: r.Score, Scale: contracts.ScaleFive, Comment: r.Comment, Resolution: r.Resolution, RatedAt: at}}, nil
	})
	tok := h.visitorToken(tenant, owner)
	path := "/api/v1/widget/conversations/" + conv + "/rating"

	r := h.do("POST", path, tok, map[string]any{"resolution": 1, "score": 4, "comment": "Quick and kind"}, "", "X-Forwarded-For", "203.0.113.9")
	expect(t, "rate", r, http.StatusOK)
	var out contracts.VisitorConversation
	if err := json.Unmarshal(r.body, &out); err != nil || out.Rating == nil || *out.Rating != (contracts.Rating{Score: 4, Scale: "five", Comment: "Quick and kind", Resolution: 1, RatedAt: out.Rating.RatedAt}) || out.Survey != nil {
		t.Fatalf("rated conversation = %s", r.body)
	}
	req := h.log.last("conversation.rate").(contracts.RateRequest)
	if req.Actor.Type != contracts.AuthorVisitor || req.Actor.IP != "203.0.113.9" || req.Resolution != 1 || req.Score != 4 || req.Comment != "Quick and kind" {
		t.Fatalf("rate request = %+v", req)
	}

	expect(t, "the same resolution again", h.do("POST", path, tok, map[string]any{"resolution": 1, "score": 5}, ""), http.StatusConflict, "conflict")
	expect(t, "score out of range", h.do("POST", path, tok, map[string]any{"resolution": 2, "score": 6}, ""), http.StatusBadRequest, "invalid", "score")
	expect(t, "another visitor's conversation", h.do("POST", path, h.visitorToken(tenant, ids.New()), map[string]any{"resolution": 2, "score": 5}, ""), http.StatusNotFound, "not_found")
	expect(t, "another tenant's visitor", h.do("POST", path, h.visitorToken(ids.New(), owner), map[string]any{"resolution": 2, "score": 5}, ""), http.StatusNotFound, "not_found")

	before := len(h.log.names())
	expect(t, "unknown field", h.do("POST", path, tok, map[string]any{"resolution": 2, "score": 5, "stars": 5}, ""), http.StatusBadRequest, "invalid", "stars")
	expect(t, "score not a number", h.do("POST", path, tok, strings.NewReader(`{"resolution":2,"score":"5"}`), "application/json"), http.StatusBadRequest, "invalid", "score")
	expect(t, "comment not a string", h.do("POST", path, tok, strings.NewReader(`{"resolution":2,"score":5,"comment":7}`), "application/json"), http.StatusBadRequest, "invalid", "comment")
	expect(t, "not JSON", h.do("POST", path, tok, strings.NewReader(`score=5`), "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media")
	expect(t, "no token", h.do("POST", path, "", map[string]any{"resolution": 2, "score": 5}, ""), http.StatusUnauthorized)
	if got := len(h.log.names()); got != before {
		t.Fatalf("refused bodies reached the service: %v", h.log.names()[before:])
	}
}
