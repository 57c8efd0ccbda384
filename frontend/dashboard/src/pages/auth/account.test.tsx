import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accountApi } from '../../api/account';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/http';
import { ToastProvider } from '../../components/ui';
import { EmailCard, NotificationsSwitch, PasswordCard } from '../settings/Profile';
import { TeamSection } from '../settings/Team';
import { AcceptInvite } from './AcceptInvite';
import { ConfirmEmail } from './ConfirmEmail';
import { ForgotPassword } from './ForgotPassword';
import { ResetPassword } from './ResetPassword';

const problem = (status: number, code: string, detail: string, field?: string) => new ApiError(status, { code, detail, field });

afterEach(() => {
  vi.restoreAllMocks();
  history.replaceState(null, '', '/');
});

describe('ForgotPassword', () => {
  it('asks for a link and says the same for any address', async () => {
    vi.spyOn(accountApi, 'emailStatus').mockResolvedValue({ email_enabled: true });
    const forgot = vi.spyOn(accountApi, 'forgotPassword').mockResolvedValue(undefined);
    render(<ForgotPassword />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Work email'), ' ann@example.com ');
    await user.click(screen.getByRole('button', { name: 'Email me a reset link' }));
    expect(forgot).toHaveBeenCalledWith('ann@example.com');
    expect((await screen.findByText(/a reset link is on its way/)).textContent).toContain('If ann@example.com has a Parley account');
  });

  it('names the bad field and says when it is rate-limited', async () => {
    vi.spyOn(accountApi, 'emailStatus').mockRejectedValue(problem(503, 'unavailable', 'notify did not answer'));
    const forgot = vi.spyOn(accountApi, 'forgotPassword').mockRejectedValueOnce(problem(400, 'invalid', 'email is not a valid email address', 'email'));
    render(<ForgotPassword />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Work email'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Email me a reset link' }));
    expect(await screen.findByText('Email is not a valid email address')).toBeTruthy();
    forgot.mockRejectedValueOnce(problem(429, 'rate_limited', ''));
    await user.click(screen.getByRole('button', { name: 'Email me a reset link' }));
    expect(await screen.findByText('Too many attempts. Wait a minute and try again.')).toBeTruthy();
  });

  it('says when email is not set up, instead of a form that cannot help', async () => {
    vi.spyOn(accountApi, 'emailStatus').mockResolvedValue({ email_enabled: false });
    render(<ForgotPassword />);
    expect(await screen.findByText(/Email is not set up on this Parley/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Email me a reset link' })).toBeNull();
  });
});

describe('ResetPassword', () => {
  it('takes the token from the link, sets the password and offers to log in', async () => {
    history.replaceState(null, '', '/reset-password#t1.secret');
    const reset = vi.spyOn(accountApi, 'resetPassword').mockResolvedValue(undefined);
    render(<ResetPassword />);
    expect(location.hash).toBe('');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), 'a brand new one');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(reset).toHaveBeenCalledWith('t1.secret', 'a brand new one');
    expect(await screen.findByText(/every session was signed out/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe('/login');
  });

  it('explains a spent link and links to ask again', async () => {
    history.replaceState(null, '', '/reset-password?token=t1.old');
    vi.spyOn(accountApi, 'resetPassword').mockRejectedValue(problem(400, 'invalid', 'this reset link was already used or replaced by a newer one; ask for a new one', 'token'));
    render(<ResetPassword />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), 'a brand new one');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText(/This reset link was already used/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password');
  });

  it('states the password rule once, also when the server refuses a short password', async () => {
    history.replaceState(null, '', '/reset-password#t1.secret');
    vi.spyOn(accountApi, 'resetPassword').mockRejectedValue(problem(400, 'invalid', 'password must be at least 10 characters', 'password'));
    render(<ResetPassword />);
    const rule = () => (document.body.textContent ?? '').match(/10 characters/g)?.length ?? 0;
    expect(rule()).toBe(1);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText('Password must be at least 10 characters')).toBeTruthy();
    expect(rule()).toBe(1);
  });

  it('says when the link is incomplete', () => {
    history.replaceState(null, '', '/reset-password');
    render(<ResetPassword />);
    expect(screen.getByText(/This reset link is incomplete/)).toBeTruthy();
  });
});

describe('AcceptInvite', () => {
  it('shows the workspace, the inviter and the invited address', async () => {
    history.replaceState(null, '', '/accept-invite#t1.invite');
    const lookup = vi.spyOn(accountApi, 'lookupInvite').mockResolvedValue({
      tenant_name: 'Café Lumière', inviter_name: 'Amélie', email: 'zoe@example.com', role: 'agent', expires_at: '2030-01-01T00:00:00Z',
    });
    render(<AcceptInvite />);
    expect((await screen.findByTestId('invite-details')).textContent).toBe('Amélie invited zoe@example.com to join Café Lumière as Agent.');
    expect(lookup).toHaveBeenCalledWith('t1.invite');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Join Café Lumière on Parley');
    expect((screen.getByLabelText('Work email') as HTMLInputElement).value).toBe('zoe@example.com');
  });

  it('says a used or expired invite is gone', async () => {
    history.replaceState(null, '', '/accept-invite#t1.used');
    vi.spyOn(accountApi, 'lookupInvite').mockRejectedValue(problem(404, 'not_found', 'invite not found'));
    render(<AcceptInvite />);
    expect(await screen.findByText(/This invitation is not valid any more/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Join the team' })).toBeNull();
  });
});

describe('ConfirmEmail', () => {
  it('confirms the new address from the link', async () => {
    history.replaceState(null, '', '/confirm-email#t1.mail');
    const confirm = vi.spyOn(accountApi, 'confirmEmail').mockResolvedValue({
      id: 'u1', tenant_id: 't1', name: 'Ann', email: 'new@example.com', role: 'owner', created_at: '',
    });
    render(<ConfirmEmail />);
    expect(await screen.findByText('Your email address is now new@example.com. Use it the next time you log in.')).toBeTruthy();
    expect(confirm).toHaveBeenCalledWith('t1.mail');
  });

  it('says why a link did not work', async () => {
    history.replaceState(null, '', '/confirm-email#t1.taken');
    vi.spyOn(accountApi, 'confirmEmail').mockRejectedValue(problem(409, 'conflict', 'an account with this email already exists'));
    render(<ConfirmEmail />);
    expect(await screen.findByText('An account with this email already exists')).toBeTruthy();
  });
});

describe('Profile', () => {
  it('disables the notification toggle with a hint while notify does not answer', async () => {
    vi.spyOn(accountApi, 'notifications').mockRejectedValue(problem(503, 'unavailable', 'notify did not answer'));
    render(
      <ToastProvider>
        <NotificationsSwitch emailOff={false} />
      </ToastProvider>,
    );
    expect(await screen.findByText(/the email service is not answering/)).toBeTruthy();
    expect((screen.getByRole('switch') as HTMLInputElement).disabled).toBe(true);
  });

  it('turns email notifications on and off', async () => {
    vi.spyOn(accountApi, 'notifications').mockResolvedValue({ email_new_conversations: true });
    const update = vi.spyOn(accountApi, 'updateNotifications').mockResolvedValue({ email_new_conversations: false });
    render(
      <ToastProvider>
        <NotificationsSwitch emailOff={false} />
      </ToastProvider>,
    );
    const sw = screen.getByRole('switch') as HTMLInputElement;
    await waitFor(() => expect(sw.checked).toBe(true));
    await userEvent.setup().click(sw);
    expect(update).toHaveBeenCalledWith({ email_new_conversations: false });
    await waitFor(() => expect(sw.checked).toBe(false));
  });

  it('sends an email change and names a wrong password', async () => {
    const change = vi.spyOn(accountApi, 'changeEmail').mockRejectedValueOnce(problem(400, 'invalid', 'the password is not right', 'password'));
    render(<EmailCard current="old@example.com" emailOff={false} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New email address'), 'new@example.com');
    await user.type(screen.getByLabelText('Current password'), 'wrong one');
    await user.click(screen.getByRole('button', { name: 'Send confirmation link' }));
    expect(await screen.findByText('The password is not right')).toBeTruthy();
    change.mockResolvedValueOnce(undefined);
    await user.click(screen.getByRole('button', { name: 'Send confirmation link' }));
    expect(await screen.findByText('We sent a link to new@example.com. Your address changes when you open it.')).toBeTruthy();
    expect(change).toHaveBeenLastCalledWith('new@example.com', 'wrong one');
  });

  it('changes the password and maps the fields the API names', async () => {
    const change = vi.spyOn(accountApi, 'changePassword').mockRejectedValueOnce(problem(400, 'invalid', 'password must be at least 10 characters', 'new_password'));
    render(
      <ToastProvider>
        <PasswordCard />
      </ToastProvider>,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Current password'), 'old password!');
    await user.type(screen.getByLabelText(/^New password/), 'short');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password must be at least 10 characters')).toBeTruthy();
    change.mockResolvedValueOnce(undefined);
    await user.clear(screen.getByLabelText(/^New password/));
    await user.type(screen.getByLabelText(/^New password/), 'long enough now');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Your password was changed. Your other sessions were signed out.')).toBeTruthy();
    expect(change).toHaveBeenLastCalledWith('old password!', 'long enough now');
  });
});

describe('Team invitations', () => {
  const invite = { id: 'i1', email: 'sam@example.com', role: 'agent' as const, expires_at: '2030-01-01T00:00:00Z', created_at: '', token: 't1.x', url: 'http://parley.test/accept-invite#t1.x' };
  async function inviteSam(emailEnabled: boolean) {
    vi.spyOn(api, 'members').mockResolvedValue([]);
    vi.spyOn(api, 'invites').mockResolvedValue([]);
    vi.spyOn(api, 'invite').mockResolvedValue(invite);
    vi.spyOn(accountApi, 'emailStatus').mockResolvedValue({ email_enabled: emailEnabled });
    render(
      <ToastProvider>
        <TeamSection title="Team" />
      </ToastProvider>,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email address'), 'sam@example.com');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect(((await screen.findByTestId('invite-link')) as HTMLInputElement).value).toBe(invite.url);
  }

  it('says the invitation was emailed, and keeps the link copyable', async () => {
    await inviteSam(true);
    expect(screen.getByText(/We emailed the invitation to sam@example.com/)).toBeTruthy();
  });

  it('says email is not set up and how to set it up', async () => {
    await inviteSam(false);
    expect(screen.getByText(/Email is not set up on this Parley \(set PARLEY_SMTP_URL\)/)).toBeTruthy();
  });
});
