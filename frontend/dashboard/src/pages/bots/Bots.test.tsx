import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { describe, expect, it, vi } from 'vitest';
import { botApi, type BotConfig, type Booking } from '../../api/bot';
import { ApiError } from '../../api/http';
import type { Role } from '../../api/types';
import { session } from '../../app/session';
import { ToastProvider } from '../../components/ui';
import { Bots } from './Bots';
import { sampleConfig } from './testdata';

function signIn(role: Role) {
  (session as unknown as { set: (s: unknown) => void }).set({
    status: 'signedIn',
    user: { id: 'u1', tenant_id: 't', name: 'Olivia', email: 'o@x.co', role, created_at: '' },
    tenant: { id: 't', name: 'Acme', slug: 'acme', widget_key: 'wk', created_at: '' },
  });
}

function setup(config: BotConfig = sampleConfig(), bookings: Booking[] = []) {
  signIn('owner');
  vi.spyOn(botApi, 'get').mockResolvedValue(config);
  vi.spyOn(botApi, 'apiKeys').mockResolvedValue([{ id: 'k1', name: 'Support bot', prefix: 'pk_live_ab', created_at: '2026-03-01T10:00:00Z' }]);
  vi.spyOn(botApi, 'bookings').mockResolvedValue(bookings);
  const save = vi.spyOn(botApi, 'save').mockImplementation(async (c) => ({ ...c, order_status: { ...c.order_status, secret: undefined, secret_set: c.order_status.secret_set || !!c.order_status.secret } }));
  const utils = render(
    <ToastProvider>
      <Bots />
    </ToastProvider>,
  );
  return { save, user: userEvent.setup(), ...utils };
}

const saveButton = () => screen.getByRole('button', { name: 'Save changes' });

describe('Bots page', { timeout: 20000 }, () => {
  it('reorders skills with the up/down buttons, focus following the skill, and saves the order', async () => {
    const { save, user } = setup();
    const skills = await screen.findByRole('list', { name: /skills, in the order/i });
    const names = () => within(skills).getAllByRole('listitem').map((li) => li.getAttribute('data-skill'));
    expect(names()).toEqual(['faq', 'order_status', 'appointments', 'after_hours', 'external']);
    expect(screen.getByRole('button', { name: 'Move FAQ answers up' })).toHaveProperty('disabled', true);

    await user.click(screen.getByRole('button', { name: 'Move Order status up' }));
    expect(names().slice(0, 2)).toEqual(['order_status', 'faq']);
    // Order status is now first: its "up" is disabled, so focus goes to its "down".
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move Order status down' })));
    expect(screen.getByText('Order status moved to position 1 of 5.')).toBeTruthy();

    await user.click(screen.getByRole('switch', { name: 'Appointments' }));
    await user.click(screen.getByRole('button', { name: 'Move Appointments up' }));
    await user.click(saveButton());
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0][0].skills).toEqual(['order_status', 'appointments', 'faq']);
    await screen.findByText('Saved');
  });

  it('shows an API field error next to the field, and a 402 as a plan notice linking to Billing', async () => {
    const { save, user } = setup();
    await screen.findByRole('heading', { name: 'FAQ answers' });
    await user.clear(screen.getByLabelText('Bot name'));
    await user.type(screen.getByLabelText('Bot name'), 'Robyn');
    save.mockRejectedValueOnce(new ApiError(400, { status: 400, code: 'invalid', field: 'faq.entries[0].answer', detail: 'answer is too long' }));
    await user.click(saveButton());
    const answer = await screen.findByLabelText('Answer');
    await waitFor(() => expect(answer.getAttribute('aria-invalid')).toBe('true'));
    const errId = answer.getAttribute('aria-describedby')!.split(' ')[0];
    expect(document.getElementById(errId)?.textContent).toBe('Answer is too long');
    // The section with the error is marked in the section navigation.
    expect(screen.getByRole('link', { name: 'FAQ answers' }).className).toContain('has-error');

    save.mockRejectedValueOnce(new ApiError(400, { status: 400, code: 'invalid', field: 'faq.entries', detail: 'at most 200 entries' }));
    await user.click(saveButton());
    expect((await screen.findByText('At most 200 entries')).getAttribute('data-field')).toBe('faq.entries');

    save.mockRejectedValueOnce(new ApiError(402, { status: 402, code: 'payment_required', detail: 'your plan does not include the order_status skill; the Pro plan does' }));
    await user.click(saveButton());
    const row = (await screen.findByText('Your plan doesn’t include this skill.')).closest('li')!;
    expect(row.getAttribute('data-skill')).toBe('order_status');
    expect(within(row).getByRole('link', { name: /billing/i }).getAttribute('href')).toBe('/billing');
  });

  it('checks FAQ entries before saving', async () => {
    const { save, user } = setup();
    await user.click(await screen.findByRole('button', { name: /add a question/i }));
    expect(screen.getAllByLabelText('Question')).toHaveLength(2);
    await user.click(saveButton());
    expect(await screen.findByText('Enter the question.')).toBeTruthy();
    expect(save).not.toHaveBeenCalled();
    const [, q2] = screen.getAllByLabelText('Question');
    await user.type(q2, 'Do you ship abroad?');
    await user.type(screen.getAllByLabelText('Answer')[1], 'Yes, to the EU.');
    await user.type(screen.getAllByLabelText('Other ways to ask')[1], 'international shipping{Enter}abroad{Enter}');
    await user.click(saveButton());
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0][0].faq.entries?.[1]).toEqual({ id: '', question: 'Do you ship abroad?', alternatives: ['international shipping', 'abroad'], answer: 'Yes, to the EU.' });
  });

  it('keeps secrets write-only: "set", then "replace"', async () => {
    const { save, user } = setup();
    const card = (await screen.findByRole('heading', { name: 'Order status' })).closest('section')!;
    expect(within(card).getByText(/^✓ Set$/)).toBeTruthy();
    expect(card.querySelector('input[type=password]')).toBeNull();
    await user.click(within(card).getByRole('button', { name: 'Replace secret' }));
    await user.type(within(card).getByLabelText('Signing secret'), 'whsec_new');
    await user.click(saveButton());
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0][0].order_status.secret).toBe('whsec_new');
    // The external bot has no secret yet: a plain input, nothing sent while empty.
    expect(save.mock.calls[0][0].external.secret).toBe('');
  });

  it('tests a sample order number live and previews the reply', async () => {
    const { user } = setup();
    const pattern = await screen.findByLabelText('Order number pattern');
    const sample = screen.getByLabelText('Test an order number');
    expect(screen.getByTestId('pattern-verdict').textContent).toMatch(/“12345” matches/);
    await user.clear(sample);
    await user.type(sample, '1234');
    expect(screen.getByTestId('pattern-verdict').textContent).toMatch(/does not match/);
    await user.clear(pattern);
    await user.type(pattern, '^(\\d+$');
    await waitFor(() => expect(pattern.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByTestId('template-preview').textContent).toBe('Order 12345 is shipped.');
  });

  it('tries a question and shows what would match, with scores', async () => {
    const { user } = setup();
    const tryFAQ = vi.spyOn(botApi, 'tryFAQ').mockResolvedValue({ answered: true, matches: [{ entry_id: 'f1', question: 'How long is shipping?', score: 0.83 }, { entry_id: 'f2', question: 'Returns', score: 0.12 }] });
    await user.type(await screen.findByLabelText('A visitor asks'), 'when does my parcel come');
    await user.click(screen.getByRole('button', { name: 'Try' }));
    expect(tryFAQ).toHaveBeenCalledWith('when does my parcel come');
    expect(await screen.findByText('The bot would answer with “How long is shipping?”.')).toBeTruthy();
    expect(screen.getByText('83 % confident')).toBeTruthy();
    expect(screen.getByText('12 % confident')).toBeTruthy();
  });

  it('creates an API key, shows it once with a copy button, and deletes a key after confirming', async () => {
    const { user } = setup();
    const create = vi.spyOn(botApi, 'createAPIKey').mockResolvedValue({ id: 'k2', name: 'Zap', key: 'pk_live_secretvalue', prefix: 'pk_live_se', created_at: '2026-03-02T10:00:00Z' });
    const del = vi.spyOn(botApi, 'deleteAPIKey').mockResolvedValue(undefined);
    await screen.findByText('Support bot');
    await user.type(screen.getByLabelText('Key name'), 'Zap');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(create).toHaveBeenCalledWith('Zap');
    expect(((await screen.findByTestId('new-api-key')) as HTMLInputElement).value).toBe('pk_live_secretvalue');
    expect(screen.getByText(/shown only this once/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('new-api-key')).toBeNull();
    expect(document.body.textContent).not.toContain('pk_live_secretvalue'); // the list has the prefix only
    await user.click(screen.getByRole('button', { name: 'Delete the key Support bot' }));
    await user.click(await screen.findByRole('button', { name: 'Delete key' }));
    await waitFor(() => expect(del).toHaveBeenCalledWith('k1'));
    await waitFor(() => expect(screen.queryByText('Support bot')).toBeNull());
  });

  it('lists bookings and cancels one after a confirmation', async () => {
    const b: Booking = { id: 'b1', service_id: 's1', service_name: 'Fitting', start_at: '2099-03-02T10:00:00Z', end_at: '2099-03-02T10:45:00Z', status: 'booked', visitor_id: 'v', name: 'Ada', email: 'ada@example.com', conversation_id: 'c1', created_at: '' };
    const { user } = setup(sampleConfig(), [b]);
    const cancel = vi.spyOn(botApi, 'cancelBooking').mockResolvedValue({ ...b, status: 'canceled' });
    const row = (await screen.findAllByText('Ada'))[0].closest('tr')!;
    await user.click(within(row).getByRole('button', { name: /Cancel the booking of Ada/ }));
    await user.click(await screen.findByRole('button', { name: 'Cancel booking' }));
    await waitFor(() => expect(cancel).toHaveBeenCalledWith('b1'));
    await waitFor(() => expect(within(row).getByText('Canceled')).toBeTruthy());
  });

  it('shows agents a read-only notice and the bookings', async () => {
    signIn('agent');
    vi.spyOn(botApi, 'get').mockRejectedValue(new ApiError(403, { status: 403, code: 'forbidden' }));
    vi.spyOn(botApi, 'bookings').mockResolvedValue([]);
    render(
      <ToastProvider>
        <Bots />
      </ToastProvider>,
    );
    expect(await screen.findByText(/Only owners and admins can change the bot/)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Bookings' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
  });

  it('shows an error with a retry when the bot cannot be read', async () => {
    signIn('owner');
    vi.spyOn(botApi, 'get').mockRejectedValue(new ApiError(503, { status: 503, code: 'unavailable', detail: 'the tenant service is not answering' }));
    render(
      <ToastProvider>
        <Bots />
      </ToastProvider>,
    );
    expect(await screen.findByRole('button', { name: /try again|retry/i })).toBeTruthy();
  });

  it('has no axe violations', async () => {
    const { container } = setup();
    await screen.findByText('Support bot');
    const r = await axe.run(container, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
