// Package inbound is notify's SMTP listener for replies by email: a visitor
// answers a conversation email, their mail server delivers the answer to
// reply+<token>@<inbound domain>, and the new text goes to a Handler that
// the service supplies.
//
// Invariants:
//   - A recipient is accepted only if it is a reply address at the inbound
//     domain whose token verifies (replytoken); anything else is refused at
//     RCPT TO with 550, before any message is read.
//   - The handler is called only with a verified conversation and non-empty
//     reply text; every refusal happens before it is called:
//     oversized → 552, malformed (no From, bad MIME, unknown charset or
//     encoding, no text part) → 554, nothing left once quotes and signature
//     are stripped → 550. A refused message changes nothing.
//   - An auto-reply, a bounce (null sender) or a bulk/list message is
//     accepted (250) and dropped, so an out-of-office never becomes a
//     message nor starts a mail loop.
//   - A handler error is temporary (451: the sending server retries) unless
//     wrapped with Permanent (550). Retries resend the same Message-ID, and
//     with several reply recipients a retry repeats them all, so the handler
//     must be idempotent on (conversation, MessageID).
//   - A shutdown (ListenAndServe's context ending) takes no new connection
//     and lets sessions under way end; after HandlerTimeout it drops the rest,
//     whose senders retry.
//   - Reply.From is the From header as written by the sender, unverified;
//     whether it must match the visitor's email is the service's policy.
//
// The text of a reply is the message's first inline text/plain part, or its
// HTML rendered to text; quoted history is what Gmail, Apple Mail, Outlook
// and Thunderbird write in English, French, German and Spanish ("On … wrote:",
// "Le … a écrit :", "Am … schrieb …:", "El … escribió:", "> " lines,
// Outlook's "-----Original Message-----" and "From:/Sent:" blocks), and a
// signature starts at a "-- " line or a "Sent from my iPhone" line.
package inbound
