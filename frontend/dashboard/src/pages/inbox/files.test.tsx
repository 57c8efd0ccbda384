import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type UploadOptions } from '../../api/http';
import type { Attachment, Conversation, Message, UploadPolicy } from '../../api/types';
import { deleteMessage, initialInbox, mergeMessages, type InboxState } from '../../inbox/state';
import { MessageAttachments, thumbSize } from './Attachments';
import { UploadTray, AttachButton, useUploads, type UploadDeps } from './Uploads';
import { Composer } from './Composer';
import { api } from '../../api/endpoints';

const evil = '<img src=x onerror=alert(1)>.pdf';
const future = new Date(Date.now() + 10 * 60_000).toISOString();
const past = new Date(Date.now() - 60_000).toISOString();

const att = (over: Partial<Attachment> = {}): Attachment => ({
  id: 'f1',
  name: 'invoice.pdf',
  content_type: 'application/pdf',
  size: 123_456,
  kind: 'document',
  url: '/api/v1/files/doc',
  expires_at: future,
  created_at: '2026-03-02T10:00:00Z',
  ...over,
});
const img = (id: string, over: Partial<Attachment> = {}) =>
  att({ id, name: `${id}.png`, content_type: 'image/png', kind: 'image', image: { width: 1600, height: 900 }, url: `/api/v1/files/${id}`, thumbnail_url: `/api/v1/files/${id}-t`, ...over });

describe('attachments in a message', () => {
  it('shows file cards with name, type, size and a download link; names stay text', () => {
    const { container } = render(<MessageAttachments conversationId="c1" attachments={[att(), att({ id: 'f2', name: evil })]} onRenewed={() => {}} />);
    const cards = screen.getAllByTestId('file-card');
    expect(cards).toHaveLength(2);
    expect(cards[0].textContent).toContain('invoice.pdf');
    expect(cards[0].textContent).toContain('PDF · 121 KB');
    const link = within(cards[0]).getByRole('link', { name: 'Download invoice.pdf' });
    expect(link.getAttribute('href')).toBe('/api/v1/files/doc');
    expect(link.getAttribute('download')).toBe('invoice.pdf');
    expect(cards[1].textContent).toContain(evil);
    expect(container.querySelectorAll('img')).toHaveLength(0);
  });

  it('shows images as thumbnails sized before they load, and opens them full size in a lightbox', async () => {
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.setAttribute('open', '');
    };
    render(<MessageAttachments conversationId="c1" attachments={[img('a'), img('b')]} onRenewed={() => {}} />);
    const thumbs = screen.getAllByRole('button', { name: /full size/ });
    expect(thumbs).toHaveLength(2);
    const first = within(thumbs[0]).getByRole('img', { name: 'a.png' });
    expect(first.getAttribute('src')).toBe('/api/v1/files/a-t');
    expect([first.getAttribute('width'), first.getAttribute('height')]).toEqual(['240', '135']);
    const user = userEvent.setup();
    await user.click(thumbs[0]);
    const box = await screen.findByRole('dialog', { name: 'Image: a.png' });
    await waitFor(() => expect(within(box).getByRole('img', { name: 'a.png' }).getAttribute('src')).toBe('/api/v1/files/a'));
    expect(box.textContent).toContain('1600 × 900');
    expect(box.textContent).toContain('1 of 2');
    fireEvent.keyDown(box, { key: 'ArrowRight' });
    await screen.findByRole('dialog', { name: 'Image: b.png' });
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('renews an expired URL before the download and after a thumbnail fails to load', async () => {
    const renew = vi.fn(async (_c: string, id: string) => (id === 'f1' ? att({ url: '/api/v1/files/fresh', expires_at: future }) : img(id, { thumbnail_url: '/api/v1/files/fresh-t' })));
    const onRenewed = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    render(<MessageAttachments conversationId="c1" attachments={[att({ expires_at: past }), img('i1')]} onRenewed={onRenewed} renew={renew} />);
    await userEvent.setup().click(screen.getByRole('link', { name: 'Download invoice.pdf' }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(renew).toHaveBeenCalledWith('c1', 'f1');
    expect(onRenewed).toHaveBeenCalledWith(expect.objectContaining({ url: '/api/v1/files/fresh' }));
    fireEvent.error(screen.getByRole('img', { name: 'i1.png' }));
    fireEvent.error(screen.getByRole('img', { name: 'i1.png' }));
    await waitFor(() => expect(renew).toHaveBeenCalledWith('c1', 'i1'));
    expect(renew).toHaveBeenCalledTimes(2); // once per file, never a loop
  });

  it('fits thumbnails into the box', () => {
    expect(thumbSize(img('x', { image: { width: 100, height: 50 } }))).toEqual({ width: 100, height: 50 });
    expect(thumbSize(img('x', { image: { width: 900, height: 1800 } }))).toEqual({ width: 120, height: 240 });
  });
});

describe('a deleted message', () => {
  const m = (over: Partial<Message>): Message => ({ id: 'm2', conversation_id: 'c1', seq: 2, author: { type: 'agent', id: 'u1' }, body: 'secret', kind: 'text', private: false, created_at: '', ...over });
  const conv = { id: 'c1', last_message: { seq: 2, author: { type: 'agent' }, body: 'secret', created_at: '' } } as Conversation;

  it('stays deleted in its place, and its text leaves the preview', () => {
    const s: InboxState = { ...initialInbox, byId: { c1: conv }, messages: { c1: [m({ seq: 1, id: 'm1', body: 'hi' }), m({ attachments: [att()] })] } };
    const gone = m({ kind: 'deleted', body: '', attachments: undefined });
    const next = deleteMessage(s, gone);
    expect(next.messages.c1.map((x) => x.kind)).toEqual(['text', 'deleted']);
    expect(next.byId.c1.last_message?.body).toBe('');
    // A page fetched before the deletion cannot bring it back.
    expect(mergeMessages(next.messages.c1, [m({})])[1].kind).toBe('deleted');
  });
});

function Tray({ deps, conversationId = 'c1' }: { deps: UploadDeps; conversationId?: string }) {
  const u = useUploads(conversationId, deps);
  return (
    <>
      <AttachButton u={u} />
      <UploadTray u={u} />
      <output data-testid="ready">{u.readyIds.join(',')}</output>
      <output data-testid="busy">{String(u.busy)}</output>
    </>
  );
}

const policy: UploadPolicy = { enabled: true, max_file_bytes: 1024, kinds: ['image', 'document'], accept: 'image/*,.pdf', storage_full: false };

describe('the composer tray', () => {
  it('checks each file against the policy, uploads the rest with progress, and cancels on request', async () => {
    const calls: { file: File; opts: UploadOptions; resolve: (a: Attachment) => void; reject: (e: unknown) => void }[] = [];
    const deps: UploadDeps = {
      policy: async () => policy,
      upload: (file, opts) => new Promise((resolve, reject) => calls.push({ file, opts, resolve, reject })),
    };
    render(<Tray deps={deps} />);
    const input = screen.getByTestId('attach-input') as HTMLInputElement;
    await waitFor(() => expect(input.getAttribute('accept')).toBe('image/*,.pdf'));
    const big = new File([new Uint8Array(2048)], 'big.pdf', { type: 'application/pdf' });
    const zip = new File(['PK'], 'a.zip', { type: 'application/zip' });
    const pdf = new File(['%PDF-1.4'], 'invoice.pdf', { type: 'application/pdf' });
    const png = new File(['png'], 'shot.png', { type: 'image/png' });
    await userEvent.setup({ applyAccept: false }).upload(input, [big, zip, pdf, png]); // a picker's "All files" ignores accept
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls.map((c) => c.file.name)).toEqual(['invoice.pdf', 'shot.png']); // the refused ones never start
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts).toEqual(['big.pdf is 2 KB; files can be up to 1 KB.', expect.stringMatching(/^a\.zip cannot be sent: Archives are not allowed/)]);

    act(() => calls[0].opts.onProgress?.(0.4));
    expect(screen.getByRole('progressbar', { name: 'Uploading invoice.pdf' }).getAttribute('aria-valuenow')).toBe('40');
    expect(screen.getByTestId('busy').textContent).toBe('true');
    await act(async () => calls[0].resolve(att({ id: 'up1' })));
    expect(screen.getByTestId('ready').textContent).toBe('up1');

    await userEvent.setup().click(screen.getByRole('button', { name: 'Cancel the upload of shot.png' }));
    expect(calls[1].opts.signal?.aborted).toBe(true);
    expect(screen.queryByText('shot.png')).toBeNull();
    expect(screen.getByTestId('busy').textContent).toBe('false');
  });

  it('says why the server refused a file and retries it', async () => {
    const upload = vi.fn<UploadDeps['upload']>().mockRejectedValueOnce(new ApiError(415, { code: 'unsupported_media', field: 'file' })).mockResolvedValue(att({ id: 'up2' }));
    render(<Tray deps={{ policy: async () => policy, upload }} />);
    const input = screen.getByTestId('attach-input') as HTMLInputElement;
    const user = userEvent.setup();
    await user.upload(input, new File(['x'], 'fake.png', { type: 'image/png' }));
    await screen.findByText('fake.png is a kind of file this workspace does not accept.');
    await user.click(screen.getByRole('button', { name: 'Retry the upload of fake.png' }));
    await waitFor(() => expect(screen.getByTestId('ready').textContent).toBe('up2'));
  });

  it('hides the attach button when files are off', async () => {
    render(<Tray deps={{ policy: async () => ({ ...policy, enabled: false }), upload: vi.fn() }} />);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Attach files' })).toBeNull());
  });
});

describe('the composer with files', () => {
  it('takes pasted files and sends them, with or without text, as a note too', async () => {
    vi.spyOn(api, 'canned').mockResolvedValue([]);
    const upload = vi.fn<UploadDeps['upload']>().mockResolvedValue(att({ id: 'pasted' }));
    const deps: UploadDeps = { policy: async () => policy, upload };
    const onSend = vi.fn();
    function WithUploads() {
      const uploads = useUploads('c1', deps);
      return <Composer conversationId="c1" visitorName="Maria" visitorFirstName="Maria" onSend={onSend} onTyping={() => {}} uploads={uploads} />;
    }
    render(<WithUploads />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('radio', { name: /Private note/ }));
    const box = screen.getByRole('textbox');
    const shot = new File(['png'], 'screenshot.png', { type: 'image/png' });
    fireEvent.paste(box, { clipboardData: { files: [shot], getData: () => '' } });
    await waitFor(() => expect(upload).toHaveBeenCalledWith(shot, expect.anything()));
    const send = screen.getByRole('button', { name: 'Add note' });
    await waitFor(() => expect(send).toHaveProperty('disabled', false)); // a file and no text is a message
    await user.click(send);
    expect(onSend).toHaveBeenCalledWith('', true, ['pasted']);
    expect(screen.queryByText('screenshot.png')).toBeNull();
  });
});
