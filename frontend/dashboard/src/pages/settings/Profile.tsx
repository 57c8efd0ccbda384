import { useState } from 'react';
import { accountApi } from '../../api/account';
import type { NotifyPreferences } from '../../api/types';
import { session, useSession } from '../../app/session';
import { Alert, Button, InputField, NewPasswordField, PageHeader, SelectField, Switch, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { emailLocales } from '../../i18n/account';
import { errorMessage } from '../../lib/fieldErrors';
import { useAsync, useSubmit } from '../../lib/hooks';
import { useInbox } from '../../inbox/store';
import { filesApi } from '../../api/files';
import { ImageUpload, MAX_IMAGE_BYTES } from '../../components/ImageUpload';

/** ProfileSection: the member's own name, email language, email, password and notifications. */
export function ProfileSection({ title }: { title: string }) {
  const s = useSession();
  const { sound, setSound } = useInbox();
  const emailStatus = useAsync(() => accountApi.emailStatus(), []);
  const emailOff = emailStatus.data?.email_enabled === false;
  return (
    <>
      <PageHeader title={title} lead={t('profile.lead')} />
      <PhotoCard current={s.user?.avatar_url} />
      <DetailsCard key={`${s.user?.id}-${s.user?.name}-${s.user?.locale}`} name={s.user?.name ?? ''} locale={s.user?.locale ?? 'en'} />
      <EmailCard current={s.user?.email ?? ''} emailOff={emailOff} />
      <PasswordCard />
      <section className="card" aria-labelledby="profile-notifications">
        <h2 id="profile-notifications">{t('profile.notifications')}</h2>
        <NotificationsSwitch emailOff={emailOff} />
        <Switch label={t('profile.sound')} checked={sound} onChange={setSound} />
      </section>
      <section className="card">
        <dl className="facts facts-wide">
          <dt>{t('profile.role')}</dt>
          <dd>{s.user ? t(`team.role.${s.user.role}`) : ''}</dd>
          <dt>{t('profile.workspace')}</dt>
          <dd>{s.tenant?.name}</dd>
        </dl>
      </section>
    </>
  );
}

/** PhotoCard sets or removes the member's photo, shown beside their messages and in the team list. */
export function PhotoCard({ current }: { current?: string }) {
  const toast = useToast();
  return (
    <section className="card" aria-labelledby="profile-photo">
      <h2 id="profile-photo">{t('photo.title')}</h2>
      <p className="muted">{t('photo.lead')}</p>
      <ImageUpload
        round
        current={current}
        maxBytes={MAX_IMAGE_BYTES}
        labels={{ choose: 'photo.choose', change: 'photo.change', save: 'photo.save', remove: 'photo.remove', none: 'photo.none', current: 'photo.current', progress: 'photo.progress' }}
        upload={async (file, opts) => session.update({ user: await filesApi.setAvatar(file, opts) })}
        remove={async () => session.update({ user: await filesApi.removeAvatar() })}
        onDone={(what) => toast(t(what === 'saved' ? 'photo.saved' : 'photo.removed'))}
      />
    </section>
  );
}

function DetailsCard({ name: initialName, locale: initialLocale }: { name: string; locale: string }) {
  const toast = useToast();
  const [name, setName] = useState(initialName);
  const [locale, setLocale] = useState(initialLocale);
  const { submit, busy, errors } = useSubmit(async () => {
    const user = await accountApi.updateProfile({ name: name.trim(), locale });
    session.update({ user });
    toast(t('profile.saved'));
  }, ['name', 'locale']);
  return (
    <section className="card" aria-labelledby="profile-details">
      <h2 id="profile-details">{t('profile.details')}</h2>
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField label={t('profile.name')} name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.fields.name} />
        <SelectField label={t('profile.locale')} name="locale" value={locale} onChange={(e) => setLocale(e.target.value)} error={errors.fields.locale}>
          {emailLocales.map((l) => (
            <option key={l.code} value={l.code} lang={l.code}>
              {l.name}
            </option>
          ))}
        </SelectField>
        <Button type="submit" variant="primary" busy={busy}>
          {busy ? t('profile.saving') : t('profile.save')}
        </Button>
      </form>
    </section>
  );
}

export function EmailCard({ current, emailOff }: { current: string; emailOff: boolean }) {
  const [form, setForm] = useState({ email: '', password: '' });
  const [sentTo, setSentTo] = useState('');
  const { submit, busy, errors } = useSubmit(async () => {
    setSentTo('');
    await accountApi.changeEmail(form.email.trim(), form.password);
    setSentTo(form.email.trim());
    setForm({ email: '', password: '' });
  }, ['email', 'password']);
  return (
    <section className="card" aria-labelledby="profile-email">
      <h2 id="profile-email">{t('profile.changeEmail')}</h2>
      <p>
        {t('profile.email')}: <strong data-testid="profile-email">{current}</strong>
      </p>
      {emailOff && <Alert kind="warning">{t('profile.emailOff')}</Alert>}
      {sentTo && <Alert kind="success">{t('profile.emailSent', { email: sentTo })}</Alert>}
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField label={t('profile.newEmail')} name="new-email" type="email" autoComplete="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={errors.fields.email} />
        <InputField
          label={t('profile.currentPassword')}
          name="email-password"
          type="password"
          autoComplete="current-password"
          required
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          error={errors.fields.password}
        />
        <Button type="submit" variant="secondary" busy={busy}>
          {t('profile.emailSubmit')}
        </Button>
      </form>
    </section>
  );
}

export function PasswordCard() {
  const toast = useToast();
  const [form, setForm] = useState({ current: '', next: '' });
  const { submit, busy, errors } = useSubmit(async () => {
    await accountApi.changePassword(form.current, form.next);
    setForm({ current: '', next: '' });
    toast(t('profile.passwordChanged'));
  }, ['current_password', 'new_password']);
  return (
    <section className="card" aria-labelledby="profile-password">
      <h2 id="profile-password">{t('profile.changePassword')}</h2>
      <form onSubmit={submit} noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <InputField
          label={t('profile.currentPassword')}
          name="current-password"
          type="password"
          autoComplete="current-password"
          required
          value={form.current}
          onChange={(e) => setForm({ ...form, current: e.target.value })}
          error={errors.fields.current_password}
        />
        <NewPasswordField label={t('profile.newPassword')} name="new-password" value={form.next} onChange={(e) => setForm({ ...form, next: e.target.value })} error={errors.fields.new_password} />
        <Button type="submit" variant="secondary" busy={busy}>
          {t('profile.passwordSubmit')}
        </Button>
      </form>
    </section>
  );
}

/** NotificationsSwitch is disabled, with a hint, while the notify service does not answer. */
export function NotificationsSwitch({ emailOff }: { emailOff: boolean }) {
  const toast = useToast();
  const prefs = useAsync(() => accountApi.notifications(), []);
  const [busy, setBusy] = useState(false);
  const change = async (on: boolean) => {
    setBusy(true);
    try {
      const next: NotifyPreferences = await accountApi.updateNotifications({ email_new_conversations: on });
      prefs.setData(() => next);
      toast(t('profile.notificationsSaved'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const hint = prefs.error ? t('profile.notificationsUnavailable') : emailOff ? t('profile.notificationsEmailOff') : t('profile.emailNewConversationsHint');
  return (
    <Switch
      label={t('profile.emailNewConversations')}
      checked={prefs.data?.email_new_conversations ?? false}
      disabled={!prefs.data || busy}
      onChange={(on) => void change(on)}
      hint={hint}
    />
  );
}
