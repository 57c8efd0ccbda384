import { useState, type FormEvent } from 'react';
import { accountApi } from '../../api/account';
import { usePageTitle } from '../../app/title';
import { Alert, Button, InputField } from '../../components/ui';
import { t } from '../../i18n';
import { formErrors, type FormErrors } from '../../lib/fieldErrors';
import { takeLinkToken } from '../../lib/linkToken';
import { Link } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

/** ResetPassword sets a new password with the emailed link; every session of the member ends. */
export function ResetPassword() {
  usePageTitle(t('auth.reset.title'));
  const [token] = useState(takeLinkToken);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
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
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await accountApi.resetPassword(token, password);
      setDone(true);
    } catch (err) {
      // A bad link is about the token, not a field here: the form-level message.
      setErrors(formErrors(err, ['password']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthLayout title={t('auth.reset.title')} lead={t('auth.reset.lead')} footer={errors.form ? askAgain : undefined}>
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField
          label={t('auth.reset.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
          hint={t('auth.passwordHint')}
        />
        <Button type="submit" variant="primary" className="btn-block" busy={busy}>
          {busy ? t('auth.reset.submitting') : t('auth.reset.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
