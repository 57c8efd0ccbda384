// Package replytoken signs and verifies the tokens in Parley's reply
// addresses, reply+<token>@<inbound domain>: a visitor's email reply reaches
// exactly the conversation whose token the address carries.
//
// A token is the lower-case base32 (RFC 4648 alphabet, no padding) of
// key id (1 byte) | tenant id | conversation id | visitor id (16 bytes each,
// the UUIDs' binary form) | the first 11 bytes of HMAC-SHA256(secret, all
// that precedes) — 60 bytes, 96 characters.
//
// Invariants:
//   - Only a holder of the secret can make a token that verifies; changing
//     any id, the key id, or a single character makes it fail. The MAC is
//     compared in constant time.
//   - Case does not matter: mail systems may change the case of a local
//     part, and a token in either case decodes to the same bytes.
//   - Every encoding is canonical (60 bytes fill 96 characters exactly), so
//     one set of claims under one key has exactly one token (up to case).
//   - Keys rotate: Sign uses one key, Verify accepts any key it is given by
//     id, so mail answered after a rotation still arrives as long as the old
//     key is kept. Key id 0 is never valid.
//
// The local part is 102 characters, above RFC 5321's 64: three UUIDs and a
// MAC cannot fit in 64 case-insensitive characters. RFC 5321 asks receivers
// not to enforce the limit, common MTAs do not, and Parley's own listener
// accepts it (GitHub's reply addresses are as long).
//
// Secrets: every notify replica must sign and verify with the same keys, so
// a key is made once with NewKey and stored by the service (the first
// replica to start inserts it; the others read it back), never derived from
// per-process state.
package replytoken
