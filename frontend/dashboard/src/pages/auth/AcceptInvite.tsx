import { useState, type FormEvent } from 'react';
import { session, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Button, InputField } from '../../components/ui';
import { t } from '../../i18n';
import { formErrors, type FormErrors } from '../../lib/fieldErrors';
import { navigate } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

const FIELDS = ['name', 'password'] as const;

/**
 * takeInviteToken reads the invitation token from the URL fragment
 * (/accept-invite#<token>) and removes it from the address bar and history,
 * so it does not linger after use. Fragments never reach the server or a Referer.
 */
export function takeInviteToken(): string {
  const raw = location.hash.replace(/^#/, '');
  let token = '';
  try {
    token = decodeURIComponent(raw).trim();
  } catch {
    token = raw.trim();
  }
  if (raw) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

export function AcceptInvite() {
  usePageTitle(t('auth.invite.submit'));
  const s = useSession();
  const [token] = useState(takeInviteToken);
  const [form, setForm] = useState({ name: '', password: '' });
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
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
  if (!token) {
    return (
      <AuthLayout title={t('auth.invite.title')}>
        <Alert>{t('auth.invite.missing')}</Alert>
      </AuthLayout>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await session.acceptInvite(token, form.name.trim(), form.password);
      navigate('/inbox', { replace: true });
    } catch (err) {
      setErrors(formErrors(err, FIELDS));
      setBusy(false);
    }
  };
  return (
    <AuthLayout title={t('auth.invite.title')} lead={t('auth.invite.lead')}>
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField label={t('auth.name')} name="name" autoComplete="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.fields.name} />
        <InputField
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          error={errors.fields.password}
          hint={t('auth.passwordHint')}
        />
        <Button type="submit" variant="primary" className="btn-block" busy={busy}>
          {busy ? t('auth.invite.submitting') : t('auth.invite.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
