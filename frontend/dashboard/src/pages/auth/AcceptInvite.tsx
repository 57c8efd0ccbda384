import { useEffect, useState } from 'react';
import { accountApi } from '../../api/account';
import { ApiError } from '../../api/http';
import type { InviteLookup } from '../../api/types';
import { session, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Button, InputField, NewPasswordField, Spinner } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { useSubmit } from '../../lib/hooks';
import { takeLinkToken } from '../../lib/linkToken';
import { navigate } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

const FIELDS = ['name', 'password'] as const;

type Lookup = { state: 'loading' } | { state: 'open'; invite: InviteLookup } | { state: 'gone' } | { state: 'failed'; message: string };

export function AcceptInvite() {
  usePageTitle(t('auth.invite.submit'));
  const s = useSession();
  const [token] = useState(takeLinkToken);
  const [lookup, setLookup] = useState<Lookup>({ state: 'loading' });
  const [form, setForm] = useState({ name: '', password: '' });
  const { submit, busy, errors } = useSubmit(
    async () => {
      if (!token) return; // the form only shows with a token
      await session.acceptInvite(token, form.name.trim(), form.password);
      navigate('/inbox', { replace: true });
    },
    FIELDS,
    { keepBusy: true },
  );
  useEffect(() => {
    if (!token) return;
    let live = true;
    accountApi.lookupInvite(token).then(
      (invite) => live && setLookup({ state: 'open', invite }),
      (err) => live && setLookup(err instanceof ApiError && err.status === 404 ? { state: 'gone' } : { state: 'failed', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [token]);
  if (s.status === 'signedIn') {
    return (
      <AuthLayout title={t('auth.invite.title')}>
        <Alert kind="info">{t('auth.invite.signedIn', { email: s.user?.email ?? '' })}</Alert>
        <Button variant="primary" onClick={() => void session.logout()}>
          {t('nav.logout')}
        </Button>
      </AuthLayout>
    );
  }
  if (!token || lookup.state === 'gone') {
    return (
      <AuthLayout title={t('auth.invite.title')}>
        <Alert>{token ? t('auth.invite.notFound') : t('auth.invite.missing')}</Alert>
      </AuthLayout>
    );
  }
  if (lookup.state === 'loading') {
    return (
      <AuthLayout title={t('auth.invite.title')}>
        <Spinner />
      </AuthLayout>
    );
  }
  const invite = lookup.state === 'open' ? lookup.invite : null;
  return (
    <AuthLayout title={invite ? t('auth.invite.titleFor', { workspace: invite.tenant_name }) : t('auth.invite.title')} lead={t('auth.invite.lead')}>
      <form onSubmit={submit} noValidate>
        {invite && (
          <p className="invite-details" data-testid="invite-details">
            {t('auth.invite.details', { inviter: invite.inviter_name, email: invite.email, workspace: invite.tenant_name, role: t(`team.role.${invite.role}`) })}
          </p>
        )}
        {lookup.state === 'failed' && <Alert kind="warning">{lookup.message}</Alert>}
        {errors.form && <Alert>{errors.form}</Alert>}
        {invite && <InputField label={t('auth.email')} name="email" type="email" autoComplete="username" value={invite.email} readOnly />}
        <InputField label={t('auth.name')} name="name" autoComplete="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.fields.name} />
        <NewPasswordField label={t('auth.password')} name="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} error={errors.fields.password} />
        <Button type="submit" variant="primary" className="btn-block" busy={busy}>
          {busy ? t('auth.invite.submitting') : t('auth.invite.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
