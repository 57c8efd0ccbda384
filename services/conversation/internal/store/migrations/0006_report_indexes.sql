-- The report reads a year of rows by time; indexes that hold every column
-- it reads answer from the index alone, without a lookup of each row.
DROP INDEX report_conversations_new;
CREATE INDEX report_conversations_new ON report_conversations (tenant_id, first_visitor_at, last_visitor_at,
	reached_team_at, started_with_bot, first_response_at, first_responder_id, first_response, first_response_biz,
	resolutions, assignee_id);
DROP INDEX report_resolutions_at;
CREATE INDEX report_resolutions_at ON report_resolutions (tenant_id, resolved_at, agent_id, surveyed, rated, seconds, biz_seconds);
