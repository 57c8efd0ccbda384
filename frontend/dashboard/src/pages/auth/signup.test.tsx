import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ToastProvider } from '../../components/ui';
import { Signup } from './Signup';

describe('Signup', () => {
  it('states the password rule once, also when the server refuses a short password', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify({ status: 400, code: 'invalid', field: 'password', detail: 'password must be at least 10 characters' }), {
        status: 400,
        headers: { 'Content-Type': 'application/problem+json' },
      }),
    );
    render(
      <ToastProvider>
        <Signup />
      </ToastProvider>,
    );
    const rule = () => (document.body.textContent ?? '').match(/10 characters/g)?.length ?? 0;
    expect(rule()).toBe(1);
    const user = userEvent.setup();
    const password = screen.getByLabelText('Password');
    await user.type(password, 'short');
    await user.click(screen.getByRole('button', { name: 'Create workspace' }));
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(rule()).toBe(1);
    expect(document.getElementById(password.getAttribute('aria-describedby')!)?.textContent).toBe('Password must be at least 10 characters');
  });
});
