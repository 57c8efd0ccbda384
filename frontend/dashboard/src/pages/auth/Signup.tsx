import { useState } from 'react';
import { session } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Button, InputField, NewPasswordField } from '../../components/ui';
import { t } from '../../i18n';
import { useSubmit } from '../../lib/hooks';
import { Link, navigate } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

const FIELDS = ['business_name', 'name', 'email', 'password'] as const;

export function Signup() {
  usePageTitle(t('auth.signup.submit'));
  const [form, setForm] = useState({ business_name: '', name: '', email: '', password: '' });
  const { submit, busy, errors, setErrors } = useSubmit(
    async () => {
      await session.signup({ ...form, email: form.email.trim(), business_name: form.business_name.trim(), name: form.name.trim() });
      navigate('/getting-started', { replace: true });
    },
    FIELDS,
    { keepBusy: true },
  );
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [k]: e.target.value });
    if (errors.fields[k]) setErrors({ ...errors, fields: { ...errors.fields, [k]: '' } });
  };
  return (
    <AuthLayout
      title={t('auth.signup.title')}
      lead={t('auth.signup.lead')}
      footer={
        <p>
          {t('auth.signup.haveAccount')} <Link href="/login">{t('auth.login.loginLink')}</Link>
        </p>
      }
    >
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField label={t('auth.businessName')} name="business_name" autoComplete="organization" required value={form.business_name} onChange={set('business_name')} error={errors.fields.business_name} />
        <InputField label={t('auth.name')} name="name" autoComplete="name" required value={form.name} onChange={set('name')} error={errors.fields.name} />
        <InputField label={t('auth.email')} name="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} error={errors.fields.email} />
        <NewPasswordField label={t('auth.password')} name="password" value={form.password} onChange={set('password')} error={errors.fields.password} />
        <Button type="submit" variant="primary" className="btn-block" busy={busy}>
          {busy ? t('auth.signup.submitting') : t('auth.signup.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
