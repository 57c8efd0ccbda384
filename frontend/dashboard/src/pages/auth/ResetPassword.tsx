import { useState } from 'react';
import { accountApi } from '../../api/account';
import { usePageTitle } from '../../app/title';
import { Alert, Button, NewPasswordField } from '../../components/ui';
import { t } from '../../i18n';
import { useSubmit } from '../../lib/hooks';
import { takeLinkToken } from '../../lib/linkToken';
import { Link } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

/** ResetPassword sets a new password with the emailed link; every session of the member ends. */
export function ResetPassword() {
  usePageTitle(t('auth.reset.title'));
  const [token] = useState(takeLinkToken);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  // A bad link is about the token, not a field here: the form-level message.
  const { submit, busy, errors } = useSubmit(async () => {
    if (!token) return; // the form only shows with a token
    await accountApi.resetPassword(token, password);
    setDone(true);
  }, ['password']);
  const askAgain = (
    <p>
      <Link href="/forgot-password">{t('auth.reset.askAgain')}</Link>
    </p>
  );
  if (!token) {
    return (
      <AuthLayout title={t('auth.reset.title')} footer={askAgain}>
        <Alert>{t('auth.reset.missing')}</Alert>
      </AuthLayout>
    );
  }
  if (done) {
    return (
      <AuthLayout title={t('auth.reset.title')}>
        <Alert kind="success">{t('auth.reset.done')}</Alert>
        <Link className="btn btn-primary btn-block" href="/login">
          {t('auth.login.submit')}
        </Link>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={t('auth.reset.title')} lead={t('auth.reset.lead')} footer={errors.form ? askAgain : undefined}>
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <NewPasswordField label={t('auth.reset.password')} name="password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.fields.password} />
        <Button type="submit" variant="primary" className="btn-block" busy={busy}>
          {busy ? t('auth.reset.submitting') : t('auth.reset.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
