// Package natsx is Parley's use of NATS: typed request-reply over the
// endpoints declared in contracts, JetStream streams and publishing with
// Nats-Msg-Id, durable consumers with bounded redelivery, and an embedded
// server for the all-in-one process and tests.
//
// Errors cross the wire as apperr.Error values, so a caller sees the same
// code (not_found, conflict, …) that the service returned. A service that is
// down or too slow surfaces as apperr.Unavailable, never as a hang.
package natsx
