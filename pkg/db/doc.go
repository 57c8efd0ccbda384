// Package db opens a service's database from a URL and keeps its schema
// current. The same code runs on SQLite (standalone: one file per service,
// pure Go) and PostgreSQL (distributed: one schema per service).
//
// Invariants:
//
//   - Every query on tenant data runs inside DB.Tenant, which on PostgreSQL
//     sets app.tenant_id for that transaction only (set_config(..., true)).
//     Row-level security on every table with a tenant_id column (FORCEd, so
//     the owner is bound too) then hides other tenants' rows even if a
//     repository forgets its WHERE tenant_id = ?. A transaction without a
//     tenant sees no tenant rows at all: the policy fails closed.
//   - Tables listed in Options.GlobalTables are lookups that must be read
//     before the tenant is known (an email at login, a widget key); they have
//     no RLS and hold no conversation content.
//   - When the configured PostgreSQL user is a superuser (which bypasses RLS),
//     the pool switches every connection to the non-superuser role parley_app
//     after migrations have run as the configured user.
//   - Migrations are plain SQL files named NNNN_name.sql, applied in order in
//     one transaction under an advisory lock, so replicas starting together do
//     not race. See Migrate for the SQLite rewrite of PostgreSQL types.
//   - SQLite uses a single connection: SQLite has one writer anyway, and one
//     connection never sees SQLITE_BUSY. Never call DB methods from inside a
//     transaction callback: use the tx you were given.
package db
