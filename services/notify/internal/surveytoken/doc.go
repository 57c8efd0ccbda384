// Package surveytoken signs and verifies the tokens in a survey email's
// links, <PUBLIC_URL>/survey/<token>: whoever holds the link may answer that
// one survey (one resolution of one conversation) for the visitor it was
// sent to, until it expires. Verifying needs only the keys, no database.
//
// A token is "s1" then the unpadded base64url of
// key id (1 byte) | tenant | conversation | visitor (16 bytes each, the
// UUIDs' binary form) | resolution (4) | expiry (8, Unix seconds) |
// scale (1) | locale (2) | the first 16 bytes of
// HMAC-SHA256(secret, purpose | all that precedes).
//
// Invariants:
//   - Only a holder of the secret can make a token that verifies; changing
//     any byte makes it fail (the MAC is compared in constant time), and an
//     expired token fails however well it is signed.
//   - The purpose string is part of every MAC, so the same secret never
//     signs a reply address (replytoken) and a survey link interchangeably.
//   - Keys rotate like reply keys: Sign uses one, Verify accepts any it is
//     given by id. Key id 0 is never valid.
package surveytoken
