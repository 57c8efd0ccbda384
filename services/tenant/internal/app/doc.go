// Package app holds the tenant service's use cases: the tenant registry,
// settings, canned responses and the bot, and (issue 11) the coordination
// of the data a business owns — exports, imports, the audit log, retention
// and workspace deletion.
//
// # Exports
//
// TenantExportCreate queues a job (Conflict while one is queued or
// running). A runner — any replica — claims it with a conditional UPDATE
// and holds a lease it extends while it works (no PARLEY_ variable;
// tenant.Jobs sets it in tests, 30 s by default); a job whose lease lapsed
// (its runner crashed) is claimed again and redone from the start, at most
// three times. A service that stops leaves its job to lapse the same way.
// The runner asks identity, conversation, billing and notify for their
// parts (each has PartTimeout), writes its own, then streams the zip
// (archive/zip → io.Pipe → ObjectStore.Put) with every file at the root and
// manifest.json last, computing each file's SHA-256 and size as it copies.
// Progress: 0.1 per part, 0.5 after tenant's own, then up to 1 with the zip.
// The parts are deleted however it ends. A done archive lives ArchiveTTL
// (7 days), then the sweep deletes it (status expired). A visitor erasure
// expires every done export of the tenant and fails running ones, so no
// archive keeps an erased visitor.
//
// Download links: each TenantExportGet of a done export mints a random
// token (32 bytes, base64url) valid DownloadTokenTTL (10 minutes); only its
// SHA-256 is stored, bound to the tenant and the export. Redeeming deletes
// it, so it works once; a bad, used, expired or other export's token is
// NotFound.
//
// # Tenant's files in an archive
//
// settings.json — one JSON document (count 1):
//
//	{"tenant":   {"id", "name", "slug", "created_at"},
//	 "settings": contracts.Settings (widget, allowed_domains, business_hours,
//	             offline_message, agent_open_limit, retention_days),
//	 "bot":      contracts.BotConfig, secrets masked (secret_set only)}
//
// Neither the identity secret nor a webhook secret is ever exported; the
// widget key is not either (the new workspace keeps its own).
//
// canned_responses.jsonl — one contracts.CannedResponse per line:
// {"id","shortcut","body","created_at","updated_at"}.
//
// audit_log.jsonl — one contracts.AuditEntry per line, oldest first:
// {"id","occurred_at","service","actor":{"type","id","name","ip"},"action",
// "target_type","target_id","before","after"}.
//
// logo.png or logo.jpg — the widget's logo, when the workspace has one
// (count 1). An import re-encodes it like an upload and stores it under a
// new id; the logo_url in settings.json is never taken as it is (it names
// the old workspace's object). Without a logo file the workspace keeps its own.
//
// # Logos
//
// TenantLogoSet (owners and admins) makes the logo from an upload (see
// logo.go) and is the only way WidgetSettings.LogoURL changes: a settings
// update may leave logo_url out or repeat the stored value, and any other
// value is refused with 400 (field widget.logo_url). A workspace deletion
// deletes the logo object with the settings.
//
// # Imports
//
// TenantImportStart (owner only) queues the import of an uploaded archive
// into an empty workspace: no canned responses and no import done before;
// the conversation service refuses (Conflict) a workspace with
// conversations when the job runs, and the import then fails. The runner
// downloads the upload to a temporary file, checks manifest.json (format
// and version), that the archive holds exactly the files it lists, each a
// plain name of a known service, and each file's size and SHA-256 while
// putting it to its ImportFileObject. It validates its own files, maps
// member ids by email (members.jsonl against identity's member list), calls
// the conversation part, then writes settings, bot, canned responses (ids
// and times kept) and audit entries (as they were) in one transaction with
// the job's end. Skills that need a webhook secret (order status, external
// bot) come back configured but switched off until the owner enters the
// secret again; so do skills the new workspace's plan lacks. Members, invites, API keys and billing are not recreated.
// Whatever happens the upload and the file objects are deleted; a failed
// import has written nothing of tenant's.
//
// # Audit log
//
// Every service emits audit.recorded through its outbox; four durable
// consumers (one per stream) keep them append-only, keyed by the event id
// (per tenant), so redelivery stores nothing twice. Entries of a deleted or
// unknown tenant are dropped. With retention on, entries older than
// max(retention_days, 365) days are swept hourly (and at start). Tenant's
// own actions are recorded too: tenant.updated, settings.updated (the
// changed fields, before and after), identity_secret.rotated/.revealed
// (never the secret), canned_response.*, bot.updated (changed sections,
// secrets masked), export.requested/.downloaded, import.started/.finished
// and workspace.deleted.
//
// # Workspace deletion
//
// TenantDelete (owner, the exact name) marks the tenant deleted — NotFound
// at once for Get, the widget key, settings, secret and bot — and emits
// tenant.deleted {reason: "deleted"} with the workspace.deleted entry in one
// transaction. Its consumer here erases tenant's rows and objects and keeps
// the tenant row as a tombstone (id, status) so the id is never reused. An
// abandoned sign-up is deleted outright, with reason "abandoned".
package app
