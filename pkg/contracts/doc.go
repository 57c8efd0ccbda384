// Package contracts is the wire contract between Parley's services: NATS
// subjects, the event envelope and the versioned payload structs.
//
// Two kinds of traffic cross NATS:
//
//   - Requests: request-reply on "rpc.<service>.<method>", served by a queue
//     group per service. Each is declared once as an Endpoint that pairs the
//     subject with its request and response types.
//   - Events: facts published to JetStream on
//     "<context>.<tenant_id>.<aggregate>.<event>", one stream per context.
//     Each is declared once as an EventType; its Subject method is the only
//     way to build the subject.
//
// Rules: subjects are never written by hand elsewhere; within a version only
// optional fields are added; a breaking change is a new Version.
package contracts
