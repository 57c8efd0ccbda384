package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Audit log paging bounds.
const (
	defaultAuditLimit = 50
	maxAuditLimit     = 200
)

// auditLog reads the append-only audit log, newest first, with filters.
func (a *API) auditLog(c *gin.Context) {
	req := contracts.AuditListRequest{Principal: principal(c), ActorID: c.Query("actor_id"), Action: c.Query("action"), Cursor: c.Query("cursor"), Limit: defaultAuditLimit}
	var err error
	if req.Since, err = timeQuery(c, "since"); err != nil {
		fail(c, err)
		return
	}
	if req.Until, err = timeQuery(c, "until"); err != nil {
		fail(c, err)
		return
	}
	if req.Since != nil && req.Until != nil && req.Until.Before(*req.Since) {
		fail(c, apperr.InvalidField("until", "until must not be before since"))
		return
	}
	if v := c.Query("limit"); v != "" {
		if req.Limit, err = strconv.Atoi(v); err != nil || req.Limit < 1 || req.Limit > maxAuditLimit {
			fail(c, apperr.InvalidField("limit", "limit must be a whole number from 1 to %d", maxAuditLimit))
			return
		}
	}
	respond(c, a.nc, contracts.TenantAuditList, req, http.StatusOK)
}

// timeQuery parses an optional RFC 3339 query parameter.
func timeQuery(c *gin.Context, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, apperr.InvalidField(name, "%s must be a date-time such as 2026-12-01T09:00:00Z", name)
	}
	return &t, nil
}
