package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/contracts"
)

// ratingBody is the visitor's answer to "How did we do?". Resolution is the
// one the conversation's survey prompt named, so an answer to an older
// resolution (another tab, a stale panel) is refused (409) rather than
// counted for the newest one.
type ratingBody struct {
	Resolution int    `json:"resolution"`
	Score      int    `json:"score"`
	Comment    string `json:"comment"`
}

// widgetRate rates the visitor's resolved conversation; the conversation
// service checks the score, the comment and that this resolution is unrated.
func (a *API) widgetRate(c *gin.Context) {
	var b ratingBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationRate, contracts.RateRequest{
		Actor: actor(c), ConversationID: c.Param("id"), Resolution: b.Resolution, Score: b.Score, Comment: b.Comment,
	}, http.StatusOK)
}
