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
//   - A visitor who left an address, after a surveyed resolution: "How did
//     we do?" on the tenant's scale, if they did not rate it in the widget
//     within PARLEY_NOTIFY_VISITOR_DELAY and it was not reopened meanwhile;
//     once per resolution, suppressed by an unsubscribe. Each answer links
//     to <PUBLIC_URL>/survey/<signed token>?score=N, the gateway's page,
//     which rates only when its form is sent (SurveyGet, SurveyAnswer).
//   - An agent: conversations assigned to them, or waiting unassigned, while
//     they have no dashboard open, in at most one digest per
//     PARLEY_NOTIFY_DIGEST_INTERVAL, unless they turned it off. Whoever is
//     online when the digest is due hears nothing (the inbox shows it).
//   - The member who asked for an export: "Your export is ready" (a link to
//     PUBLIC_URL + the event's path, the size and when it expires) or
//     "Your export failed", in their language, queued like every email
//     notify decides on, once per export and outcome.
//   - Events older than an hour update what notify knows but email nobody.
//
// Data ownership (issue 11): every email notify queues gets its deliveries
// row in the same transaction (status queued, then sent, suppressed or
// rejected), with its subject and the visitor and conversation it is about.
// A visitor's erasure deletes their deliveries, pending answers, notify's
// copies of their conversations and the alerts about them, their
// unsubscribe links and the suppressions of their addresses (an erased
// visitor who comes back with the same address is a new visitor), then
// scrubs the NOTIFY stream of every event naming them; a queued email whose
// row is gone is not sent. conversations.deleted (retention) does the same
// for the conversations only, keeping the visitor's unsubscribe. A deleted
// workspace loses every row and its NOTIFY events. Exports hold no body,
// reply address or unsubscribe link.
//
// Without PARLEY_SMTP_URL the service still answers (status says email is
// off, preferences work) and sends and records nothing.
package notify
