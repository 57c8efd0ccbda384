package natsapi

import (
	"context"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/conversation/internal/app"
)

// registerReports serves the report and its rebuild, and runs the consumer
// that keeps the read model current. It takes the whole conversation stream
// (a consumer has one filter) and ignores the events reports do not count;
// events of one conversation are handled in order, conversations in parallel.
func registerReports(b *service.Base, a *app.App) {
	service.Handle(b, contracts.ConversationReport, a.Report)
	service.Handle(b, contracts.ConversationReportRebuild, a.RebuildReports)
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: app.ReportsConsumer,
		Filter: contracts.ConversationStream.Subjects(), Parallel: 8, Key: app.ReportKey,
	}, func(ctx context.Context, _ string, env contracts.Envelope) error { return a.OnReportEvent(ctx, env) })
}
