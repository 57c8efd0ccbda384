import { useState } from 'react';
import { accountApi } from '../../api/account';
import { usePageTitle } from '../../app/title';
import { Alert, Button, InputField } from '../../components/ui';
import { t } from '../../i18n';
import { useAsync, useSubmit } from '../../lib/hooks';
import { Link } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

/** ForgotPassword asks for a reset link; the answer never says whether the address has an account. */
export function ForgotPassword() {
  usePageTitle(t('auth.forgot.title'));
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState('');
  // Unknown (the email service is not answering) is not "off": the form stays.
  const emailStatus = useAsync(() => accountApi.emailStatus(), []);
  const emailOff = emailStatus.data?.email_enabled === false;
  const { submit, busy, errors } = useSubmit(async () => {
    await accountApi.forgotPassword(email.trim());
    setSentTo(email.trim());
  }, ['email']);
  return (
    <AuthLayout
      title={t('auth.forgot.title')}
      lead={emailOff ? undefined : t('auth.forgot.lead')}
      footer={
        <p>
          <Link href="/login">{t('auth.forgot.back')}</Link>
        </p>
      }
    >
      {emailOff ? (
        <Alert kind="warning">{t('auth.forgot.noEmail')}</Alert>
      ) : sentTo ? (
        <Alert kind="success">{t('auth.forgot.sent', { email: sentTo })}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          {errors.form && <Alert>{errors.form}</Alert>}
          <InputField
            label={t('auth.email')}
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.fields.email}
          />
          <Button type="submit" variant="primary" className="btn-block" busy={busy}>
            {busy ? t('auth.forgot.submitting') : t('auth.forgot.submit')}
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
