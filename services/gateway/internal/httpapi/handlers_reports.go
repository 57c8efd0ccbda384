package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// ReportRateLimitPerMinute bounds report requests per client IP: a report
// reads a whole period's read model, heavier than most calls.
const ReportRateLimitPerMinute = 60

// reportParams are the query parameters a report accepts; any other is a 400
// so a misspelt filter is not silently ignored.
var reportParams = map[string]bool{"from": true, "to": true, "agent_id": true, "label": true, "business_hours": true, "granularity": true}

// reportRequest reads a report's query. The conversation service checks the
// dates, the period's length, the granularity, the agent and the label.
func reportRequest(c *gin.Context) (contracts.ReportRequest, error) {
	q := c.Request.URL.Query()
	for name := range q {
		if !reportParams[name] {
			return contracts.ReportRequest{}, apperr.InvalidField(name, "unknown query parameter %q", name)
		}
	}
	req := contracts.ReportRequest{Actor: actor(c), From: q.Get("from"), To: q.Get("to"), AgentID: q.Get("agent_id"), Label: q.Get("label"), Granularity: q.Get("granularity")}
	for _, name := range []string{"from", "to"} {
		if q.Get(name) == "" {
			return req, apperr.InvalidField(name, "%s is required, a date such as 2026-12-01", name)
		}
	}
	switch q.Get("business_hours") {
	case "", "false":
	case "true":
		req.BusinessHours = true
	default:
		return req, apperr.InvalidField("business_hours", "business_hours must be true or false")
	}
	return req, nil
}

// reportSummary is the summary section: the headline figures of the period
// and of the previous one.
type reportSummary struct {
	Summary      contracts.ReportSummary `json:"summary"`
	Previous     contracts.ReportSummary `json:"previous"`
	From         string                  `json:"from"`
	To           string                  `json:"to"`
	PreviousFrom string                  `json:"previous_from"`
	PreviousTo   string                  `json:"previous_to"`
	Timezone     string                  `json:"timezone"`
}

// reportSections pick one part of a report for GET /reports/{section}.
var reportSections = map[string]func(r contracts.Report) any{
	"summary": func(r contracts.Report) any {
		return reportSummary{r.Summary, r.Previous, r.From, r.To, r.PreviousFrom, r.PreviousTo, r.Timezone}
	},
	"volume":  func(r contracts.Report) any { return r.Volume },
	"heatmap": func(r contracts.Report) any { return r.Heatmap },
	"csat":    func(r contracts.Report) any { return r.CSAT },
	"bot":     func(r contracts.Report) any { return r.Bot },
	"agents":  func(r contracts.Report) any { return r.Agents },
}

// report answers the whole report.
func (a *API) report(c *gin.Context) {
	req, err := reportRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationReport, req, http.StatusOK)
}

// reportSection answers one section of the report.
func (a *API) reportSection(section string) gin.HandlerFunc {
	pick := reportSections[section]
	return func(c *gin.Context) {
		req, err := reportRequest(c)
		if err != nil {
			fail(c, err)
			return
		}
		r, err := natsx.Call(c, a.nc, contracts.ConversationReport, req)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, pick(r))
	}
}

// rebuildReports derives the tenant's read model again from the source tables.
func (a *API) rebuildReports(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationReportRebuild, contracts.ReportRebuildRequest{Actor: actor(c)}, http.StatusOK)
}
