// The data-ownership API (issue 11): exports, imports, retention, closing the
// workspace, a visitor's data and erasure, and the audit log. Shapes follow
// pkg/contracts/data.go.
import { http, xhrSend } from './http';

const enc = encodeURIComponent;

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';

/** Job is what an export and an import share: a status, progress 0–1 and counts of rows per file. */
export interface Job {
  id: string;
  status: JobStatus;
  progress: number;
  size_bytes: number;
  counts?: Record<string, number>;
  error?: string;
  requested_by: string;
  created_at: string;
  completed_at?: string;
}

export interface Export extends Job {
  /** done only: relative, single-use, valid a few minutes; every GET mints a new one. */
  download_url?: string;
  expires_at?: string;
}

export type Import = Job;

export interface RetentionPreview {
  days: number;
  before: string;
  conversations: number;
  messages: number;
}

export interface VisitorErasure {
  visitor_id: string;
  conversations: number;
  messages: number;
}

export type ActorType = 'member' | 'visitor' | 'api_key' | 'system';

export interface AuditEntry {
  id: string;
  occurred_at: string;
  service: string;
  actor: { type: ActorType; id?: string; name?: string; ip?: string };
  action: string;
  target_type?: string;
  target_id?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditPage {
  entries: AuditEntry[];
  next_cursor?: string;
}

export interface AuditFilter {
  actor_id?: string;
  /** An action, or a prefix ending in "." ("member."). */
  action?: string;
  /** RFC 3339. */
  since?: string;
  until?: string;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const dataApi = {
  createExport: () => http.post<Export>('/api/v1/exports', {}),
  exports: () => http.get<{ exports: Export[] }>('/api/v1/exports').then((r) => r.exports ?? []),
  export: (id: string) => http.get<Export>(`/api/v1/exports/${enc(id)}`),

  imports: () => http.get<{ imports: Import[] }>('/api/v1/imports').then((r) => r.imports ?? []),
  import: (id: string) => http.get<Import>(`/api/v1/imports/${enc(id)}`),

  retentionPreview: (days: number) => http.get<RetentionPreview>(`/api/v1/retention/preview${query({ days })}`),
  closeWorkspace: (confirmName: string) => http.delete('/api/v1/tenant', { body: { confirm_name: confirmName } }),

  visitorExport: (id: string) => http.raw(`/api/v1/visitors/${enc(id)}/export`),
  eraseVisitor: (id: string) => http.delete<VisitorErasure>(`/api/v1/visitors/${enc(id)}`),

  auditLog: (f: AuditFilter, cursor?: string, limit = 50) =>
    http.get<AuditPage>(`/api/v1/audit-log${query({ ...f, cursor, limit })}`).then((p) => ({ ...p, entries: p.entries ?? [] })),
};

/**
 * uploadImport sends an archive (the zip itself as the body) to POST /imports
 * with progress (xhrSend); it fails with an ApiError (413, 409, 400 on "file").
 */
export function uploadImport(file: Blob, token: string | null, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<Import> {
  return xhrSend<Import>('POST', '/api/v1/imports', file, token, { onProgress, signal, contentType: 'application/zip' });
}

/** saveBlob offers a blob to the user as a file download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
