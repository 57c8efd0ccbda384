// Package entitlements gives any service a local copy of what each tenant's
// plan allows, and the checks that enforce it. Billing owns entitlements and
// publishes billing.<tenant>.entitlements.changed (through its outbox)
// whenever they change; every other service keeps the latest copy in its own
// database (the platform table "entitlements", present in every service's
// schema, row-level secured by tenant) and never calls billing on a hot path.
//
// Use:
//
//	ent := entitlements.Register(base)            // in New, after service.Start
//	e, err := ent.Get(ctx, tenantID)              // the tenant's entitlements
//	err := ent.Require(ctx, tenantID, contracts.FeatureBotOrderStatus) // 402 unless the plan has it
//	start, end := entitlements.Period(e, time.Now()) // the current billing period
//	err := entitlements.CheckFileSize(e, size)      // 413 over the plan's file size
//	err := entitlements.CheckStorage(e, used, size) // 413 "storage is full"
//
// Invariants:
//
//   - The copy only moves forward: an event (or a fetched answer) replaces
//     the stored row only if its Version is at least the stored one, so
//     redelivered and out-of-order events never roll a tenant back, and
//     applying the same event twice changes nothing.
//   - Get reads the local row. When there is none (a brand-new tenant whose
//     event has not arrived yet, or a service that started after the event
//     left the stream), it asks billing (rpc.billing.entitlements), stores
//     the answer under the same rule and returns it. If billing does not
//     answer either, Get returns its error (apperr.Unavailable): each caller
//     decides whether to fail open or closed.
//   - Get and Require open their own transactions: never call them inside a
//     transaction callback (SQLite has one connection). Fetch the
//     entitlements first, then open the transaction that enforces them.
//   - Refusals are apperr.PaymentRequired (HTTP 402) with a message that names
//     the limit or feature and the plan that lifts it; file limits are
//     apperr.TooLarge (HTTP 413, field "file") instead, since the same upload
//     may succeed when smaller. MaxFileBytes 0 means
//     contracts.DefaultMaxFileBytes; StorageBytes 0 means no limit.
package entitlements
