import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { api } from '../../api/endpoints';
import { filesApi } from '../../api/files';
import { ApiError } from '../../api/http';
import type { Settings } from '../../api/types';
import { session } from '../../app/session';
import { ToastProvider } from '../../components/ui';
import { StorageBar } from '../billing/Billing';
import { FilesSection } from './Files';
import { WidgetSection, widgetDefaults } from './Widget';
import { PhotoCard } from './Profile';

const settings = (over: Partial<Settings> = {}): Settings => ({
  widget: { ...widgetDefaults, logo_url: '/api/v1/media/logos/l1' },
  allowed_domains: [],
  business_hours: { enabled: false, timezone: 'UTC', weekly: null, holidays: null },
  offline_message: '',
  agent_open_limit: 0,
  attachments: { enabled: true, kinds: ['image', 'document', 'archive', 'media'] },
  ...over,
});

const policy = { enabled: true, max_file_bytes: 25 * 1024 * 1024, kinds: ['image' as const], accept: '', storage_full: false };

describe('Settings → Files in chat', () => {
  it('saves the switch and the kinds, and names the plan limit', async () => {
    vi.spyOn(filesApi, 'policy').mockResolvedValue(policy);
    const update = vi.spyOn(api, 'updateSettings').mockImplementation(async (patch) => settings({ attachments: patch.attachments }));
    const onSaved = vi.fn();
    render(
      <ToastProvider>
        <FilesSection title="Files in chat" settings={settings()} onSaved={onSaved} />
      </ToastProvider>,
    );
    await screen.findByText('On your plan each file can be up to 25 MB.');
    const user = userEvent.setup();
    expect(screen.getByRole('checkbox', { name: 'Other files' })).toHaveProperty('checked', false);
    await user.click(screen.getByRole('checkbox', { name: 'Documents' }));
    await user.click(screen.getByRole('checkbox', { name: 'Other files' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(update).toHaveBeenCalledWith({ attachments: { enabled: true, kinds: ['image', 'archive', 'media', 'other'] } }));
    expect(onSaved).toHaveBeenCalled();
  });

  it('asks for a kind before saving none, and shows the API error on the kinds', async () => {
    vi.spyOn(filesApi, 'policy').mockResolvedValue(policy);
    const update = vi.spyOn(api, 'updateSettings').mockRejectedValue(new ApiError(400, { code: 'invalid', field: 'attachments.kinds', detail: 'unknown kind "exe"' }));
    render(
      <ToastProvider>
        <FilesSection title="Files in chat" settings={settings({ attachments: { enabled: true, kinds: ['image'] } })} onSaved={() => {}} />
      </ToastProvider>,
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole('checkbox', { name: 'Images' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Choose at least one kind, or turn files off.')).toBeTruthy();
    expect(update).not.toHaveBeenCalled();
    await user.click(screen.getByRole('checkbox', { name: 'Archives' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Unknown kind "exe"')).toBeTruthy();
  });
});

describe('the widget logo', () => {
  it('is shown in the preview and sent back unchanged when the rest is saved', async () => {
    (session as unknown as { set: (s: unknown) => void }).set({
      status: 'signedIn',
      user: { id: 'u1', tenant_id: 't', name: 'Olivia', email: 'o@x.co', role: 'owner', created_at: '' },
      tenant: { id: 't', name: 'Northwind Bikes', slug: 'nw', widget_key: 'wk', created_at: '' },
    });
    const update = vi.spyOn(api, 'updateSettings').mockImplementation(async (patch) => settings({ widget: patch.widget }));
    render(
      <ToastProvider>
        <WidgetSection title="Widget" settings={settings()} onSaved={() => {}} />
      </ToastProvider>,
    );
    expect(screen.getByTestId('widget-preview-logo').getAttribute('src')).toBe('/api/v1/media/logos/l1');
    expect(screen.getByRole('img', { name: 'Your logo' })).toBeTruthy();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Launcher text'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(update).toHaveBeenCalled());
    expect(update.mock.calls[0][0].widget).toMatchObject({ launcher_text: 'Hi', logo_url: '/api/v1/media/logos/l1' });
  });
});

describe('your photo', () => {
  it('refuses what is not an image, previews an image and uploads it with progress', async () => {
    (session as unknown as { set: (s: unknown) => void }).set({
      status: 'signedIn',
      user: { id: 'u1', tenant_id: 't', name: 'Sam Rivera', email: 's@x.co', role: 'agent', created_at: '' },
      tenant: { id: 't', name: 'Northwind Bikes', slug: 'nw', widget_key: 'wk', created_at: '' },
    });
    let progress: ((p: number) => void) | undefined;
    let done: (() => void) | undefined;
    const set = vi.spyOn(filesApi, 'setAvatar').mockImplementation(
      (_f, opts) =>
        new Promise((resolve) => {
          progress = opts?.onProgress;
          done = () => resolve({ id: 'u1', tenant_id: 't', name: 'Sam Rivera', email: 's@x.co', role: 'agent', created_at: '', avatar_url: '/api/v1/media/avatars/a1' });
        }),
    );
    render(
      <ToastProvider>
        <PhotoCard />
      </ToastProvider>,
    );
    expect(screen.getByText('No photo yet: your initials are shown instead.')).toBeTruthy();
    const user = userEvent.setup({ applyAccept: false });
    const input = screen.getByLabelText('Choose a photo');
    await user.upload(input, new File(['<svg/>'], 'me.svg', { type: 'image/svg+xml' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose a PNG, JPEG, GIF or WebP image.');
    await user.upload(input, new File([new Uint8Array(6 * 1024 * 1024)], 'huge.png', { type: 'image/png' }));
    expect(screen.getByRole('alert').textContent).toBe('This image is 6 MB; photos can be up to 5 MB.');
    await user.upload(input, new File(['png'], 'me.png', { type: 'image/png' }));
    await screen.findByRole('img', { name: 'Preview of the new photo' });
    await user.click(screen.getByRole('button', { name: 'Save photo' }));
    progress?.(0.5);
    await waitFor(() => expect(screen.getByRole('progressbar', { name: 'Uploading the photo' }).getAttribute('aria-valuenow')).toBe('50'));
    done?.();
    await screen.findByText('Your photo was saved.');
    expect(set).toHaveBeenCalledTimes(1);
    expect(session.state.user?.avatar_url).toBe('/api/v1/media/avatars/a1');
  });
});

describe('billing storage', () => {
  it('shows used of the limit, the files and the size per file', () => {
    render(<StorageBar s={{ used_bytes: 900 * 1024 * 1024, limit_bytes: 1024 * 1024 * 1024, max_file_bytes: 10 * 1024 * 1024, files: 3 }} />);
    const bar = screen.getByRole('progressbar', { name: 'File storage' });
    expect(bar.getAttribute('aria-valuenow')).toBe('88');
    const box = screen.getByTestId('usage-storage');
    expect(box.textContent).toContain('900 MB of 1 GB');
    expect(box.textContent).toContain('3 files · Each file up to 10 MB');
    expect(box.className).toContain('usage-warn');
  });

  it('has no bar without a limit', () => {
    render(<StorageBar s={{ used_bytes: 1536, limit_bytes: 0, max_file_bytes: 0, files: 1 }} />);
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByTestId('usage-storage').textContent).toContain('1.5 KB (no limit)');
    expect(screen.getByTestId('usage-storage').textContent).toContain('1 file');
  });
});
