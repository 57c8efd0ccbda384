// Package domain holds identity's rules: what a valid email, name and
// password are, and who may change whose role or remove whom. It knows
// nothing of storage or transport.
//
// Invariants: an email belongs to at most one user in all of Parley; a tenant
// always keeps at least one owner; only an owner may grant or take away the
// owner role.
//
// Emails to members are written in one of Locales; PickLocale reads a
// language tag or an Accept-Language header.
package domain
