// The logic of files in the chat, free of React so it is unit tested: which
// kind a chosen file probably is, the checks made before an upload (so a file
// over a limit is refused before a byte is sent), what the composer's tray
// holds, when a signed URL needs renewing, and who may delete a message.
import { ApiError } from '../api/http';
import { MAX_ATTACHMENTS, type Attachment, type FileKind, type Message, type UploadPolicy, type User } from '../api/types';
import { t, type MessageKey } from '../i18n';
import { errorMessage } from '../lib/fieldErrors';
import { formatSize } from '../lib/format';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/rtf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
]);
const ARCHIVE_TYPES = new Set([
  'application/zip',
  'application/x-zip-compressed',
  'application/gzip',
  'application/x-gzip',
  'application/x-7z-compressed',
  'application/vnd.rar',
  'application/x-rar-compressed',
  'application/x-tar',
]);
const EXTENSIONS: Record<string, FileKind> = {
  png: 'image', jpg: 'image', jpeg: 'image', gif: 'image', webp: 'image',
  pdf: 'document', txt: 'document', csv: 'document', rtf: 'document', doc: 'document', docx: 'document', xls: 'document', xlsx: 'document',
  ppt: 'document', pptx: 'document', odt: 'document', ods: 'document', odp: 'document',
  zip: 'archive', gz: 'archive', tgz: 'archive', '7z': 'archive', rar: 'archive', tar: 'archive',
  mp3: 'media', wav: 'media', ogg: 'media', m4a: 'media', mp4: 'media', mov: 'media', webm: 'media',
};

function extension(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i + 1).toLowerCase() : '';
}

/**
 * guessKind is the kind a chosen file most likely has, from the type the
 * browser reports and its extension. Only a guess for the check before an
 * upload: the server sniffs the content and decides (SVG, HTML and the like
 * are "other" there too).
 */
export function guessKind(name: string, type: string): FileKind {
  const mime = type.toLowerCase().split(';')[0].trim();
  if (IMAGE_TYPES.has(mime)) return 'image';
  if (DOCUMENT_TYPES.has(mime)) return 'document';
  if (ARCHIVE_TYPES.has(mime)) return 'archive';
  if (mime.startsWith('audio/') || mime.startsWith('video/')) return 'media';
  if (mime && mime !== 'application/octet-stream') return 'other';
  return EXTENSIONS[extension(name)] ?? 'other';
}

/** kindLabel names a kind in the plural ("Documents"). */
export const kindLabel = (k: FileKind) => t(`files.kind.${k}` as MessageKey);

/** checkFile is why a file may not be uploaded under the policy, or undefined when it may. */
export function checkFile(file: { name: string; size: number; type: string }, policy: UploadPolicy | undefined): string | undefined {
  if (file.size === 0) return t('files.error.empty', { name: file.name });
  if (!policy) return undefined; // The server still checks.
  if (!policy.enabled) return t('files.error.off');
  if (policy.storage_full) return t('files.error.storageFull');
  if (policy.max_file_bytes > 0 && file.size > policy.max_file_bytes) {
    const size = formatSize(file.size);
    const max = formatSize(policy.max_file_bytes);
    return t(size === max ? 'files.error.tooBigJust' : 'files.error.tooBig', { name: file.name, size, max });
  }
  const kind = guessKind(file.name, file.type);
  if (policy.kinds && !policy.kinds.includes(kind)) return t('files.error.kind', { name: file.name, kind: kindLabel(kind) });
  return undefined;
}

/** uploadError is the sentence for a failed upload of one file. */
export function uploadError(err: unknown, name: string): string {
  if (err instanceof ApiError) {
    if (err.status === 413) return /storage/i.test(err.detail ?? '') ? t('files.error.storageFull') : t('files.error.tooBigServer', { name });
    if (err.status === 415) return t('files.error.unsupported', { name });
    if (err.status === 403) return t('files.error.off');
    if (err.status === 400 && err.field === 'file') return t('files.error.empty', { name });
  }
  return errorMessage(err);
}

export type UploadStatus = 'uploading' | 'done' | 'failed' | 'refused';

/** UploadItem is one file in the composer's tray. */
export interface UploadItem {
  key: string;
  name: string;
  size: number;
  kind: FileKind;
  status: UploadStatus;
  /** Share sent, 0–1. */
  progress: number;
  attachment?: Attachment;
  error?: string;
}

export type TrayAction =
  | { type: 'add'; items: UploadItem[] }
  | { type: 'progress'; key: string; progress: number }
  | { type: 'done'; key: string; attachment: Attachment }
  | { type: 'failed'; key: string; error: string }
  | { type: 'retry'; key: string }
  | { type: 'remove'; key: string }
  | { type: 'sent'; keys: string[] }
  | { type: 'clear' };

export function trayReducer(items: UploadItem[], a: TrayAction): UploadItem[] {
  const patch = (key: string, p: Partial<UploadItem>) => items.map((x) => (x.key === key ? { ...x, ...p } : x));
  switch (a.type) {
    case 'add':
      return [...items, ...a.items];
    case 'progress':
      return patch(a.key, { progress: Math.max(0, Math.min(1, a.progress)) });
    case 'done':
      return patch(a.key, { status: 'done', progress: 1, attachment: a.attachment, error: undefined });
    case 'failed':
      return patch(a.key, { status: 'failed', error: a.error });
    case 'retry':
      return patch(a.key, { status: 'uploading', progress: 0, error: undefined });
    case 'remove':
      return items.filter((x) => x.key !== a.key);
    case 'sent':
      return items.filter((x) => !a.keys.includes(x.key));
    case 'clear':
      return [];
  }
}

/** counted are the tray's files that take one of a message's MAX_ATTACHMENTS places. */
export const counted = (items: UploadItem[]) => items.filter((x) => x.status === 'uploading' || x.status === 'done').length;

/** room is how many more files the tray takes. */
export const room = (items: UploadItem[]) => Math.max(0, MAX_ATTACHMENTS - counted(items));

/** ready are the uploaded files a send carries; busy says an upload is still running. */
export const ready = (items: UploadItem[]) => items.filter((x) => x.status === 'done' && x.attachment);
export const busy = (items: UploadItem[]) => items.some((x) => x.status === 'uploading');

/** RENEW_MARGIN_MS: a URL this close to its expiry is renewed before use. */
export const RENEW_MARGIN_MS = 30_000;

/** needsRenewal says a signed URL has expired (or is about to), or is missing. */
export function needsRenewal(a: Attachment, now = Date.now()): boolean {
  if (!a.url) return true;
  if (!a.expires_at) return false;
  const at = Date.parse(a.expires_at);
  return Number.isFinite(at) && at - RENEW_MARGIN_MS <= now;
}

/** canDelete: owners and admins delete any person's or bot's message, agents their own; never events, deleted ones or optimistic ones. */
export function canDelete(m: Message, me: User | undefined): boolean {
  if (!me || !m.id || m.kind === 'deleted' || m.kind === 'event' || m.author.type === 'system') return false;
  if (me.role === 'owner' || me.role === 'admin') return true;
  return m.author.type === 'agent' && m.author.id === me.id;
}

/** fileTypeLabel is a short type for a file card: "PDF", "PNG image", else the extension, else "File". */
export function fileTypeLabel(contentType: string, name: string): string {
  const mime = contentType.toLowerCase().split(';')[0].trim();
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'text/plain': t('files.type.text'),
    'text/csv': 'CSV',
    'application/zip': 'ZIP',
    'application/gzip': 'GZIP',
  };
  if (known[mime]) return known[mime];
  if (mime.startsWith('image/')) return t('files.type.image', { format: mime.slice(6).toUpperCase().replace(/\+.*/, '') });
  const ext = extension(name);
  if (ext && ext.length <= 5) return ext.toUpperCase();
  return t('files.type.file');
}

/** withAttachment replaces one attachment (renewed URLs) in a message. */
export function withAttachment(m: Message, a: Attachment): Message {
  if (!m.attachments?.some((x) => x.id === a.id)) return m;
  return { ...m, attachments: m.attachments.map((x) => (x.id === a.id ? a : x)) };
}
