import { useState } from 'react';
import { session, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Button, InputField } from '../../components/ui';
import { t } from '../../i18n';
import { useSubmit } from '../../lib/hooks';
import { Link, navigate, useLocation } from '../../lib/router';
import { AuthLayout, safeNext } from './AuthLayout';

const FIELDS = ['email', 'password'] as const;

export function Login() {
  usePageTitle(t('auth.login.submit'));
  const s = useSession();
  const { search } = useLocation();
  const [form, setForm] = useState({ email: '', password: '' });
  // Still busy after success: the page is on its way out.
  const { submit, busy, errors } = useSubmit(
    async () => {
      await session.login(form.email.trim(), form.password);
      navigate(safeNext(search.get('next')), { replace: true });
    },
    FIELDS,
    { keepBusy: true },
  );
  return (
    <AuthLayout
      title={t('auth.login.title')}
      footer={
        <p>
          {t('auth.login.noAccount')} <Link href="/signup">{t('auth.login.signupLink')}</Link>
        </p>
      }
    >
      <form onSubmit={submit} noValidate>
        {s.reason === 'expired' && <Alert kind="info">{t('auth.login.expired')}</Alert>}
        {s.reason === 'loggedOut' && <Alert kind="success">{t('auth.login.loggedOut')}</Alert>}
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField
          label={t('auth.email')}
          name="email"
          type="email"
          autoComplete="username"
          required
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
          error={errors.fields.email}
        />
        <InputField
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          error={errors.fields.password}
        />
        <p className="forgot-link">
          <Link href="/forgot-password">{t('auth.login.forgot')}</Link>
        </p>
        <Button type="submit" variant="primary" className="btn-block" busy={busy}>
          {busy ? t('auth.login.submitting') : t('auth.login.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
