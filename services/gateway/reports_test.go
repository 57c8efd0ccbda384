package gateway_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// The reports routes pass the query to the conversation service as a
// ReportRequest, return the whole report or one section, and refuse a
// missing date, an unknown parameter or a bad business_hours at the gateway;
// the service's own refusals come back naming their field.
func TestReportsQuery(t *testing.T) {
	h := newHarness(t, nil)
	tenant := ids.New()
	avg := 4.0
	serve(h, contracts.ConversationReport, func(r contracts.ReportRequest) (contracts.Report, error) {
		if r.Granularity != "" && r.Granularity != "day" && r.Granularity != "hour" {
			return contracts.Report{}, apperr.InvalidField("granularity", "granularity must be day or hour")
		}
		return contracts.Report{From: r.From, To: r.To, PreviousFrom: "2026-10-02", PreviousTo: "2026-10-31", Timezone: "Europe/Paris", Granularity: "day",
			BusinessHours: r.BusinessHours, Summary: contracts.ReportSummary{Conversations: 3, CSATAverage: &avg, CSATResponses: 1},
			CSAT: contracts.CSATFigures{Responses: 1, Average: &avg, Distribution: [5]int{0, 0, 0, 1, 0}, Comments: []contracts.RatingComment{}}}, nil
	})
	serve(h, contracts.ConversationReportRebuild, func(r contracts.ReportRebuildRequest) (contracts.ReportRebuilt, error) {
		return contracts.ReportRebuilt{Conversations: 2, Activities: 5}, nil
	})
	admin, agent := h.member(tenant, contracts.RoleAdmin), h.member(tenant, contracts.RoleAgent)
	const q = "?from=2026-11-01&to=2026-11-30"

	r := h.do("GET", "/api/v1/reports"+q+"&agent_id=u1&label=vip&business_hours=true&granularity=day", admin.token, nil, "")
	expect(t, "report", r, http.StatusOK)
	req := h.log.last("conversation.report").(contracts.ReportRequest)
	if req.Actor.TenantID != tenant || req.Actor.ID != admin.UserID || req.From != "2026-11-01" || req.To != "2026-11-30" ||
		req.AgentID != "u1" || req.Label != "vip" || !req.BusinessHours || req.Granularity != "day" {
		t.Fatalf("report request = %+v", req)
	}
	var whole contracts.Report
	if err := json.Unmarshal(r.body, &whole); err != nil || whole.Summary.Conversations != 3 || whole.Timezone != "Europe/Paris" || !whole.BusinessHours {
		t.Fatalf("report = %s", r.body)
	}

	r = h.do("GET", "/api/v1/reports/summary"+q, agent.token, nil, "")
	expect(t, "summary", r, http.StatusOK)
	var summary map[string]any
	if err := json.Unmarshal(r.body, &summary); err != nil || len(summary) != 7 || summary["from"] != "2026-11-01" || summary["previous_to"] != "2026-10-31" ||
		summary["summary"].(map[string]any)["csat_average"] != 4.0 {
		t.Fatalf("summary = %s", r.body)
	}
	r = h.do("GET", "/api/v1/reports/csat"+q, agent.token, nil, "")
	expect(t, "csat", r, http.StatusOK)
	var csat contracts.CSATFigures
	if err := json.Unmarshal(r.body, &csat); err != nil || csat.Responses != 1 || csat.Distribution != [5]int{0, 0, 0, 1, 0} {
		t.Fatalf("csat = %s", r.body)
	}
	if got := h.log.last("conversation.report").(contracts.ReportRequest).BusinessHours; got {
		t.Fatal("business_hours absent should be false")
	}

	expect(t, "granularity from the service", h.do("GET", "/api/v1/reports"+q+"&granularity=week", admin.token, nil, ""), http.StatusBadRequest, "invalid", "granularity")
	before := len(h.log.names())
	expect(t, "no from", h.do("GET", "/api/v1/reports?to=2026-11-30", admin.token, nil, ""), http.StatusBadRequest, "invalid", "from")
	expect(t, "no to", h.do("GET", "/api/v1/reports/volume?from=2026-11-01", admin.token, nil, ""), http.StatusBadRequest, "invalid", "to")
	expect(t, "unknown parameter", h.do("GET", "/api/v1/reports"+q+"&agent=u1", admin.token, nil, ""), http.StatusBadRequest, "invalid", "agent")
	expect(t, "business_hours not a boolean", h.do("GET", "/api/v1/reports/agents"+q+"&business_hours=yes", admin.token, nil, ""), http.StatusBadRequest, "invalid", "business_hours")
	expect(t, "no token", h.do("GET", "/api/v1/reports"+q, "", nil, ""), http.StatusUnauthorized)
	expect(t, "agents cannot rebuild", h.do("POST", "/api/v1/reports/rebuild", agent.token, nil, ""), http.StatusForbidden, "forbidden")
	if got := len(h.log.names()); got != before {
		t.Fatalf("refused requests reached the service: %v", h.log.names()[before:])
	}

	r = h.do("POST", "/api/v1/reports/rebuild", admin.token, nil, "")
	expect(t, "rebuild", r, http.StatusOK)
	if string(r.body) != `{"conversations":2,"activities":5}` {
		t.Fatalf("rebuild = %s", r.body)
	}
}
