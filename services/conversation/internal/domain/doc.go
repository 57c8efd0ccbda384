// Package domain holds the conversation service's rules: what a message may
// hold, which changes to a conversation an actor may make, and how queued
// conversations are routed to agents. It does no I/O.
//
// Invariants kept by the store with these rules: a conversation's messages
// are numbered 1, 2, 3… with no gaps; a sender's client_msg_id identifies at
// most one message; a visitor reaches only their own conversations and never
// a private note.
//
// files.go is the signed-URL token of an attachment (HMAC-SHA256 under the
// tenant's key, 15 minutes; a forged one is NotFound, an expired one Gone)
// and the rules of a message's files: at most contracts.MaxAttachments, ids
// of the sender's own unsent uploads, and a body that may then be empty.
//
// archive.go is the conversation service's part of an export archive: the
// files, the shape of each row, their order, and what an import keeps and
// maps.
package domain
