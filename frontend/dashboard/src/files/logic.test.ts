import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import type { Attachment, Message, UploadPolicy, User } from '../api/types';
import { formatSize } from '../lib/format';
import { canDelete, checkFile, counted, fileTypeLabel, guessKind, needsRenewal, ready, room, trayReducer, uploadError, withAttachment, type UploadItem } from './logic';

const policy = (over: Partial<UploadPolicy> = {}): UploadPolicy => ({
  enabled: true,
  max_file_bytes: 10 * 1024 * 1024,
  kinds: ['image', 'document', 'archive', 'media'],
  accept: '',
  storage_full: false,
  ...over,
});

const att = (over: Partial<Attachment> = {}): Attachment => ({
  id: 'f1',
  name: 'invoice.pdf',
  content_type: 'application/pdf',
  size: 1234,
  kind: 'document',
  url: '/api/v1/files/tok',
  expires_at: '2026-03-02T10:15:00Z',
  created_at: '2026-03-02T10:00:00Z',
  ...over,
});

describe('guessKind', () => {
  it('reads the browser type first, the extension when the type is missing', () => {
    expect(guessKind('a.png', 'image/png')).toBe('image');
    expect(guessKind('a.pdf', 'application/pdf')).toBe('document');
    expect(guessKind('a.zip', 'application/zip')).toBe('archive');
    expect(guessKind('a.mp4', 'video/mp4')).toBe('media');
    expect(guessKind('scan.JPG', '')).toBe('image');
    expect(guessKind('notes.docx', 'application/octet-stream')).toBe('document');
    expect(guessKind('x.bin', '')).toBe('other');
  });

  it('never takes SVG or HTML for an image or document', () => {
    expect(guessKind('logo.svg', 'image/svg+xml')).toBe('other');
    expect(guessKind('page.png', 'text/html')).toBe('other');
  });
});

describe('checkFile', () => {
  const file = (name: string, size: number, type = '') => ({ name, size, type });

  it('refuses before the upload what the policy does not allow', () => {
    expect(checkFile(file('a.pdf', 100, 'application/pdf'), policy())).toBeUndefined();
    expect(checkFile(file('big.pdf', 10 * 1024 * 1024 + 1, 'application/pdf'), policy())).toBe('big.pdf is just over 10 MB, the limit per file.');
    expect(checkFile(file('big.pdf', 12 * 1024 * 1024, 'application/pdf'), policy())).toBe('big.pdf is 12 MB; files can be up to 10 MB.');
    expect(checkFile(file('a.pdf', 100, 'application/pdf'), policy({ kinds: ['image'] }))).toMatch(/^a\.pdf cannot be sent: Documents are not allowed/);
    expect(checkFile(file('a.svg', 100, 'image/svg+xml'), policy())).toMatch(/Other files are not allowed/);
    expect(checkFile(file('a.png', 100, 'image/png'), policy({ enabled: false }))).toMatch(/^Files are turned off/);
    expect(checkFile(file('a.png', 100, 'image/png'), policy({ storage_full: true }))).toMatch(/storage is full/);
    expect(checkFile(file('empty.txt', 0, 'text/plain'), policy())).toBe('empty.txt is empty.');
  });

  it('leaves the decision to the server while the policy is unknown', () => {
    expect(checkFile(file('a.exe', 100), undefined)).toBeUndefined();
  });

  it('accepts every kind when the policy lists none', () => {
    expect(checkFile(file('a.exe', 100), policy({ kinds: null }))).toBeUndefined();
  });
});

describe('uploadError', () => {
  it('says what the server refused, naming the file', () => {
    expect(uploadError(new ApiError(413, { code: 'too_large', field: 'file', detail: 'file is larger than 10 MB' }), 'a.pdf')).toBe('a.pdf is larger than your plan allows.');
    expect(uploadError(new ApiError(413, { code: 'too_large', detail: 'the workspace storage is full' }), 'a.pdf')).toMatch(/storage is full/);
    expect(uploadError(new ApiError(415, { code: 'unsupported_media', field: 'file' }), 'x.png')).toBe('x.png is a kind of file this workspace does not accept.');
    expect(uploadError(new ApiError(403, { code: 'forbidden' }), 'x.png')).toMatch(/^Files are turned off/);
    expect(uploadError(new ApiError(429, { code: 'rate_limited' }), 'x.png')).toBe('Too many attempts. Wait a minute and try again.');
  });
});

describe('the tray', () => {
  const item = (key: string, over: Partial<UploadItem> = {}): UploadItem => ({ key, name: key, size: 1, kind: 'image', status: 'uploading', progress: 0, ...over });

  it('follows each upload to done, failed, retried and sent', () => {
    let s = trayReducer([], { type: 'add', items: [item('a'), item('b'), item('c', { status: 'refused', error: 'no' })] });
    s = trayReducer(s, { type: 'progress', key: 'a', progress: 0.5 });
    expect(s[0].progress).toBe(0.5);
    s = trayReducer(s, { type: 'progress', key: 'a', progress: 7 });
    expect(s[0].progress).toBe(1);
    s = trayReducer(s, { type: 'done', key: 'a', attachment: att({ id: 'fa' }) });
    s = trayReducer(s, { type: 'failed', key: 'b', error: 'network' });
    expect(ready(s).map((x) => x.key)).toEqual(['a']);
    expect(counted(s)).toBe(1); // failed and refused files take no place
    expect(room(s)).toBe(9);
    s = trayReducer(s, { type: 'retry', key: 'b' });
    expect(s[1]).toMatchObject({ status: 'uploading', progress: 0, error: undefined });
    s = trayReducer(s, { type: 'sent', keys: ['a'] });
    expect(s.map((x) => x.key)).toEqual(['b', 'c']);
    s = trayReducer(s, { type: 'remove', key: 'b' });
    expect(s.map((x) => x.key)).toEqual(['c']);
  });
});

describe('signed URLs', () => {
  it('need renewing when expired, nearly expired or missing', () => {
    const now = Date.parse('2026-03-02T10:10:00Z');
    expect(needsRenewal(att(), now)).toBe(false);
    expect(needsRenewal(att({ expires_at: '2026-03-02T10:10:20Z' }), now)).toBe(true);
    expect(needsRenewal(att({ expires_at: '2026-03-02T10:00:00Z' }), now)).toBe(true);
    expect(needsRenewal(att({ url: undefined }), now)).toBe(true);
  });

  it('are replaced in their message only', () => {
    const m = { id: 'm1', attachments: [att(), att({ id: 'f2' })] } as Message;
    const next = withAttachment(m, att({ url: '/api/v1/files/fresh' }));
    expect(next.attachments?.map((a) => a.url)).toEqual(['/api/v1/files/fresh', '/api/v1/files/tok']);
    expect(withAttachment(m, att({ id: 'other' }))).toBe(m);
  });
});

describe('canDelete', () => {
  const me = (role: User['role']): User => ({ id: 'u1', tenant_id: 't', name: 'Me', email: '', role, created_at: '' });
  const msg = (over: Partial<Message>): Message => ({ id: 'm1', conversation_id: 'c1', seq: 1, author: { type: 'agent', id: 'u1' }, body: 'x', kind: 'text', private: false, created_at: '', ...over });

  it('lets admins delete any message and agents their own', () => {
    expect(canDelete(msg({}), me('agent'))).toBe(true);
    expect(canDelete(msg({ author: { type: 'agent', id: 'u2' } }), me('agent'))).toBe(false);
    expect(canDelete(msg({ author: { type: 'visitor', id: 'v1' } }), me('agent'))).toBe(false);
    expect(canDelete(msg({ author: { type: 'visitor', id: 'v1' } }), me('admin'))).toBe(true);
    expect(canDelete(msg({ author: { type: 'agent', id: 'u2' } }), me('owner'))).toBe(true);
  });

  it('never offers it for deleted messages, events or unsent ones', () => {
    expect(canDelete(msg({ kind: 'deleted' }), me('owner'))).toBe(false);
    expect(canDelete(msg({ kind: 'event' }), me('owner'))).toBe(false);
    expect(canDelete(msg({ author: { type: 'system' } }), me('owner'))).toBe(false);
    expect(canDelete(msg({ id: '' }), me('owner'))).toBe(false);
    expect(canDelete(msg({}), undefined)).toBe(false);
  });
});

describe('labels', () => {
  it('names types and sizes the way people read them', () => {
    expect(fileTypeLabel('application/pdf', 'a.pdf')).toBe('PDF');
    expect(fileTypeLabel('image/png', 'a.png')).toBe('PNG image');
    expect(fileTypeLabel('application/octet-stream', 'backup.tar')).toBe('TAR');
    expect(fileTypeLabel('application/octet-stream', 'noext')).toBe('File');
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(10 * 1024 * 1024)).toBe('10 MB');
    expect(formatSize(1024 ** 3)).toBe('1 GB');
  });
});
