// Package realtime is the gateway's WebSocket layer.
//
// A gateway follows, for each tenant that has sockets on it, that tenant's
// events in the CONVERSATION stream (one ordered consumer, in stream order)
// and its typing indicators (core NATS, live.<tenant>.typing, never
// stored); the feed starts with the tenant's first socket and stops a few
// seconds after its last (feed.go). So a gateway's work grows with its own
// clients, not with the platform. An agent gets every event of their
// tenant, private notes included; a visitor gets only public events of
// their own conversations. Any number of gateways can run: a visitor on
// one and an agent on another see each other's messages because both
// follow the same stream.
//
// Delivery is at most once per socket; completeness comes from positions.
// Every agent frame of a stored event carries its stream sequence as
// cursor; an agent reconnecting with ?cursor=N gets the tenant's events
// after N replayed, then live ones held meanwhile, with no gap and no
// duplicate (resume.go). Visitors, and a cursor that cannot be resumed
// (resync), catch up per conversation with after_seq.
//
// Memory: an idle socket costs one goroutine (its reader) and small buffers;
// a writer goroutine exists only while frames are queued, and one ticker per
// hub pings every socket.
package realtime
