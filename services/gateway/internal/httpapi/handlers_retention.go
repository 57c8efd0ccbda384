package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// retentionPreview counts what a retention of ?days=N would delete now, for
// the dashboard to show before the setting is saved.
func (a *API) retentionPreview(c *gin.Context) {
	days, err := strconv.Atoi(c.Query("days"))
	if err != nil || days < contracts.MinRetentionDays || days > contracts.MaxRetentionDays {
		fail(c, apperr.InvalidField("days", "days must be a whole number from %d to %d", contracts.MinRetentionDays, contracts.MaxRetentionDays))
		return
	}
	respond(c, a.nc, contracts.ConversationRetentionPreview, contracts.RetentionPreviewRequest{Principal: principal(c), Days: days}, http.StatusOK)
}
