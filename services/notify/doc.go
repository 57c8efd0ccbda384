// Package notify is the notify service: every email Parley sends (over SMTP,
// from events, durably and once) and the replies it receives by email.
//
// Who gets what, and when:
//   - Invitations, password resets and email-change confirmations: at once,
//     from identity's events, to the address in the event.
//   - A visitor who left an address: an agent's or bot's public answer they
//     have not read (no read receipt, no message of theirs) within
//     PARLEY_NOTIFY_VISITOR_DELAY, with the last few messages as context, a
//     link to their last page with #parley-conversation=<id> (the loader
//     reopens the conversation), a signed reply address when the listener
//     is on, and List-Unsubscribe. Every email of a conversation refers to
//     one thread id, so mail clients group them. An unsubscribed address
//     gets no more answers from that tenant; a transcript it asks for
//     ("Email me this conversation") is still sent.
//   - An agent: conversations assigned to them, or waiting unassigned, while
//     they have no dashboard open, in at most one digest per
//     PARLEY_NOTIFY_DIGEST_INTERVAL, unless they turned it off. Whoever is
//     online when the digest is due hears nothing (the inbox shows it).
//   - Events older than an hour update what notify knows but email nobody.
//
// Without PARLEY_SMTP_URL the service still answers (status says email is
// off, preferences work) and sends and records nothing.
package notify
