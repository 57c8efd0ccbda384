import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { botApi } from '../api/bot';
import { api } from '../api/endpoints';
import { session } from '../app/session';
import { GettingStarted } from './GettingStarted';

function signIn() {
  (session as unknown as { set: (s: unknown) => void }).set({
    status: 'signedIn',
    user: { id: 'u1', tenant_id: 't', name: 'Olivia Owner', email: 'o@x.co', role: 'agent', created_at: '' },
    tenant: { id: 't', name: 'Acme', slug: 'acme', widget_key: 'wk', created_at: '' },
  });
}

describe('GettingStarted', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says when the checklist cannot be loaded, and retries', async () => {
    signIn();
    const convs = vi.spyOn(api, 'conversations').mockRejectedValueOnce(new TypeError('Failed to fetch'));
    vi.spyOn(api, 'members').mockResolvedValue([]);
    vi.spyOn(botApi, 'get').mockRejectedValue(new Error('not for agents'));
    render(<GettingStarted />);
    const alert = await screen.findByRole('alert');
    expect(screen.queryByText(/of 4 done/)).toBeNull();
    convs.mockResolvedValue({ conversations: [{ id: 'c1' }], next_cursor: null } as never);
    await userEvent.setup().click(alert.querySelector('button')!);
    await waitFor(() => expect(screen.getByText(/1 of 4 done/)).toBeTruthy());
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
