import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { accountApi } from '../../api/account';
import { api } from '../../api/endpoints';
import { dataApi, type Export } from '../../api/data';
import type { Settings } from '../../api/types';
import { session } from '../../app/session';
import { ToastProvider } from '../../components/ui';
import { CloseWorkspace } from './CloseWorkspace';
import { ExportSection } from './Export';
import { RetentionSection } from './Retention';

const exp = (over: Partial<Export> = {}): Export => ({
  id: 'e1', status: 'queued', progress: 0, size_bytes: 0, requested_by: 'u1', created_at: '2026-03-01T10:00:00Z', ...over,
});

function signIn(role: 'owner' | 'admin') {
  (session as unknown as { set: (s: unknown) => void }).set({
    status: 'signedIn',
    user: { id: 'u1', tenant_id: 't', name: 'Olivia', email: 'o@x.co', role, created_at: '' },
    tenant: { id: 't', name: 'Northwind Bikes', slug: 'northwind', widget_key: 'wk', created_at: '' },
  });
}

const bar = () => screen.getByRole('progressbar', { name: 'Export progress' });

describe('Export', () => {
  it('starts an export, follows its progress and offers the download with its size', async () => {
    vi.spyOn(accountApi, 'emailStatus').mockResolvedValue({ email_enabled: true });
    vi.spyOn(dataApi, 'exports').mockResolvedValue([]);
    vi.spyOn(dataApi, 'createExport').mockResolvedValue(exp());
    const get = vi
      .spyOn(dataApi, 'export')
      .mockResolvedValueOnce(exp({ status: 'running', progress: 0.5 }))
      .mockResolvedValue(exp({ status: 'done', progress: 1, size_bytes: 12_345_678, download_url: '/api/v1/exports/e1/download?token=t1', counts: { 'messages.jsonl': 3 } }));
    render(<ExportSection />);
    await screen.findByText('No exports yet.');
    await screen.findByText(/we email you when the archive is ready/);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Export all data' }));
    expect(bar().getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByRole('button', { name: 'Export all data' })).toHaveProperty('disabled', true);
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('50'), { timeout: 10000 });
    const done = await screen.findByTestId('export-done', undefined, { timeout: 10000 });
    const link = within(done).getByRole('link', { name: 'Download (12.3 MB)' });
    expect(link.getAttribute('href')).toBe('/api/v1/exports/e1/download?token=t1');
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(within(screen.getByTestId('export-history')).getByText('Ready')).toBeTruthy();
    expect(get).toHaveBeenCalledTimes(2); // polling stops at "done" (logic.test.ts: nothing more is scheduled)
  }, 20_000);

  it('picks up an export that is still running when the page opens again', async () => {
    vi.spyOn(accountApi, 'emailStatus').mockResolvedValue({ email_enabled: false });
    vi.spyOn(dataApi, 'exports').mockResolvedValue([exp({ status: 'running', progress: 0.25 }), exp({ id: 'old', status: 'failed', error: 'disk full' })]);
    vi.spyOn(dataApi, 'export').mockResolvedValue(exp({ status: 'failed', error: 'the notify part timed out' }));
    render(<ExportSection />);
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('25'));
    await screen.findByText(/Email is not set up on this Parley/);
    await screen.findByText('The export failed: the notify part timed out', undefined, { timeout: 10000 });
    expect(screen.getByText('disk full')).toBeTruthy();
  }, 20_000);
});

describe('Retention', () => {
  it('previews what a setting deletes and saves only once confirmed', async () => {
    vi.spyOn(api, 'settings').mockResolvedValue({ retention_days: 0 } as Settings);
    const preview = vi.spyOn(dataApi, 'retentionPreview').mockResolvedValue({ days: 30, before: '', conversations: 123, messages: 4567 });
    const save = vi.spyOn(api, 'updateSettings').mockResolvedValue({ retention_days: 30 } as Settings);
    const user = userEvent.setup();
    render(
      <ToastProvider>
        <RetentionSection />
      </ToastProvider>,
    );
    await user.click(await screen.findByRole('radio', { name: 'Delete conversations after a number of days' }));
    const days = screen.getByLabelText('Days since the last activity');
    await user.clear(days);
    await user.type(days, '3');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(days.getAttribute('aria-invalid')).toBe('true');
    expect(preview).not.toHaveBeenCalled();
    await user.type(days, '0');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(preview).toHaveBeenCalledWith(30);
    expect((await screen.findByTestId('retention-confirm')).textContent).toMatch(/^This will delete 123 conversations \(4,567 messages\) now and keep deleting/);
    expect(save).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Delete and save' }));
    expect(save).toHaveBeenCalledWith({ retention_days: 30 });
    await screen.findByText('Conversations are deleted 30 days after their last activity.');
  });
});

describe('Close workspace', () => {
  it('is enabled only by the exact workspace name, for the owner only', async () => {
    signIn('owner');
    const close = vi.spyOn(dataApi, 'closeWorkspace').mockResolvedValue(undefined);
    const logout = vi.spyOn(session, 'logout').mockResolvedValue();
    const user = userEvent.setup();
    render(<CloseWorkspace />);
    const button = screen.getByRole('button', { name: 'Close workspace permanently' });
    expect(button).toHaveProperty('disabled', true);
    await user.type(screen.getByLabelText('Type Northwind Bikes to confirm'), 'northwind bikes');
    expect(button).toHaveProperty('disabled', true);
    await user.clear(screen.getByLabelText('Type Northwind Bikes to confirm'));
    await user.type(screen.getByLabelText('Type Northwind Bikes to confirm'), 'Northwind Bikes');
    expect(button).toHaveProperty('disabled', false);
    await user.click(button);
    expect(close).toHaveBeenCalledWith('Northwind Bikes');
    await waitFor(() => expect(logout).toHaveBeenCalled());
    expect(location.pathname).toBe('/goodbye');
  });

  it('tells an admin that only the owner can', () => {
    signIn('admin');
    render(<CloseWorkspace />);
    expect(screen.getByText('Only the workspace owner can close it.')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
