import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { api } from '../api/endpoints';
import { session } from '../app/session';
import { ToastProvider } from '../components/ui';
import { Composer, fillCanned } from './inbox/Composer';
import { useUploads } from './inbox/Uploads';
import { Login } from './auth/Login';
import { Settings } from './settings/Settings';
import { WidgetPreview, widgetDefaults } from './settings/Widget';

const canned = [
  { id: '1', shortcut: 'shipping', body: 'Hi {name}, we ship in 3–5 days.', created_at: '', updated_at: '' },
  { id: '2', shortcut: 'refund', body: 'Refunds take 5 days.', created_at: '', updated_at: '' },
];

function renderComposer() {
  vi.spyOn(api, 'canned').mockResolvedValue(canned);
  const onSend = vi.fn();
  const onTyping = vi.fn();
  const deps = { policy: () => new Promise<never>(() => {}), upload: () => new Promise<never>(() => {}) };
  function WithUploads() {
    const uploads = useUploads('c1', deps);
    return <Composer conversationId="c1" visitorName="Maria Lopez" visitorFirstName="Maria" onSend={onSend} onTyping={onTyping} uploads={uploads} />;
  }
  render(<WithUploads />);
  return { onSend, onTyping, input: screen.getByRole('textbox') as HTMLTextAreaElement };
}

describe('Composer', () => {
  it('sends on Enter and keeps Shift+Enter for new lines', async () => {
    const { onSend, input } = renderComposer();
    const user = userEvent.setup();
    await user.type(input, 'Hello{Shift>}{Enter}{/Shift}there');
    expect(onSend).not.toHaveBeenCalled();
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('Hello\nthere', false, []);
    expect(input.value).toBe('');
  });

  it('does not send an empty message', async () => {
    const { onSend, input } = renderComposer();
    await userEvent.setup().type(input, '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('opens the canned picker on "/", filters it and inserts with the keyboard', async () => {
    const { onSend, input } = renderComposer();
    const user = userEvent.setup();
    await user.type(input, '/');
    await screen.findByRole('listbox');
    expect(screen.getAllByRole('option')).toHaveLength(2);
    await user.type(input, 're');
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(1));
    expect(screen.getByRole('option').textContent).toContain('/refund');
    await user.keyboard('{Backspace}{Backspace}');
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2));
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getAllByRole('option')[0].getAttribute('aria-selected')).toBe('true'); // wrapped around
    await user.keyboard('{Enter}');
    expect(input.value).toBe('Refunds take 5 days.');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(onSend).not.toHaveBeenCalled();
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('Refunds take 5 days.', false, []);
  });

  it('fills the visitor name into a canned reply', () => {
    expect(fillCanned('Hi {name}, welcome!', 'Maria')).toBe('Hi Maria, welcome!');
    expect(fillCanned('Hi {name}, welcome!', '')).toBe('Hi, welcome!');
  });

  it('makes private notes visibly different and sends them as private', async () => {
    const { onSend, onTyping, input } = renderComposer();
    const user = userEvent.setup();
    await user.click(screen.getByRole('radio', { name: /private note/i }));
    expect(input.closest('.composer')?.classList.contains('composer-note')).toBe(true);
    expect(input.placeholder).toMatch(/only your team/i);
    await user.type(input, 'Customer is a VIP{Enter}');
    expect(onSend).toHaveBeenCalledWith('Customer is a VIP', true, []);
    expect(onTyping).not.toHaveBeenCalledWith(true); // the visitor never sees note typing
  });

  it('tells the visitor the agent is typing in reply mode', async () => {
    const { onTyping, input } = renderComposer();
    await userEvent.setup().type(input, 'Hi');
    expect(onTyping).toHaveBeenCalledWith(true);
  });
});

describe('Login', () => {
  it('shows the API field error next to the field', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify({ status: 400, code: 'invalid', field: 'email', detail: 'email is not a valid address' }), {
        status: 400,
        headers: { 'Content-Type': 'application/problem+json' },
      }),
    );
    render(
      <ToastProvider>
        <Login />
      </ToastProvider>,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Work email'), 'nope');
    await user.type(screen.getByLabelText('Password'), 'whatever12345');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    const email = screen.getByLabelText('Work email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const errId = email.getAttribute('aria-describedby')!.split(' ')[0];
    expect(document.getElementById(errId)?.textContent).toBe('Email is not a valid address');
    const init = vi.mocked(fetch).mock.calls[0][1]!;
    expect((init.headers as Record<string, string>)['X-Parley-Refresh']).toBe('cookie');
  });
});

describe('Settings access', () => {
  it('shows agents that admin settings are not theirs, and offers the profile', () => {
    (session as unknown as { set: (s: unknown) => void }).set({
      status: 'signedIn',
      user: { id: 'u2', tenant_id: 't', name: 'Sam Agent', email: 's@x.co', role: 'agent', created_at: '' },
      tenant: { id: 't', name: 'Acme', slug: 'acme', widget_key: 'wk', created_at: '' },
    });
    const settings = vi.spyOn(api, 'settings');
    render(
      <ToastProvider>
        <Settings section="widget" />
      </ToastProvider>,
    );
    expect(screen.getByRole('heading', { name: /only owners and admins/i })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Team' })).toBeNull();
    expect(settings).not.toHaveBeenCalled();
  });
});

describe('WidgetPreview', () => {
  it('draws the unsaved colour, position and launcher text', () => {
    const { container, rerender } = render(<WidgetPreview w={{ ...widgetDefaults, color: '#ff0000', launcher_text: 'Chat with us' }} business="Acme" />);
    const root = container.querySelector('[data-testid=widget-preview]') as HTMLElement;
    expect(root.style.getPropertyValue('--wc')).toBe('#ff0000');
    expect(root.textContent).toContain('Chat with us');
    expect(root.classList.contains('wp-right')).toBe(true);
    rerender(<WidgetPreview w={{ ...widgetDefaults, position: 'left', color: 'bad' }} business="Acme" />);
    expect(root.classList.contains('wp-left')).toBe(true);
    expect(root.style.getPropertyValue('--wc')).toBe(widgetDefaults.color);
  });
});

describe('keyboard shortcuts', () => {
  it('leave text fields to the typist', async () => {
    const { isTypingTarget } = await import('./inbox/Inbox');
    expect(isTypingTarget(document.createElement('input'))).toBe(true);
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true);
    expect(isTypingTarget(document.createElement('select'))).toBe(true);
    expect(isTypingTarget(document.createElement('div'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
