// Package realtime is the gateway's WebSocket layer.
//
// Every gateway follows the CONVERSATION stream with an ordered consumer
// (deduplicated, in stream order) and pushes each event to the sockets it
// holds: an agent gets every event of their tenant, private notes included;
// a visitor gets only public events of their own conversations. Typing
// indicators travel on core NATS (live.<tenant>.typing) and are never stored.
// Any number of gateways can run: a visitor on one and an agent on another
// see each other's messages because both follow the same stream.
//
// Delivery is at most once per socket; completeness comes from sequence
// numbers: a client that reconnects, or sees a gap, fetches after_seq.
//
// Memory: an idle socket costs one goroutine (its reader) and small buffers;
// a writer goroutine exists only while frames are queued, and one ticker per
// hub pings every socket.
package realtime
