import { useState, type FormEvent } from 'react';
import { dataApi } from '../../api/data';
import { session, useSession } from '../../app/session';
import { Alert, Button, InputField } from '../../components/ui';
import { t } from '../../i18n';
import { formErrors, type FormErrors } from '../../lib/fieldErrors';
import { navigate } from '../../lib/router';

/**
 * CloseWorkspace is the danger zone: the owner types the workspace's name to
 * enable the button; once closed, the tab signs out to the goodbye page.
 */
export function CloseWorkspace() {
  const s = useSession();
  const name = s.tenant?.name ?? '';
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const owner = s.user?.role === 'owner';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (typed !== name) return;
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await dataApi.closeWorkspace(typed);
    } catch (err) {
      setErrors(formErrors(err, ['confirm_name']));
      setBusy(false);
      return;
    }
    // The goodbye page first, so signing out does not send the tab to the login page.
    navigate('/goodbye', { replace: true });
    await session.logout();
  };

  return (
    <section className="card data-card danger-zone" aria-labelledby="data-close">
      <h2 id="data-close">{t('data.close.title')}</h2>
      <p>{t('data.close.lead', { name })}</p>
      <p>
        <strong>{t('data.close.undo')}</strong>
      </p>
      {!owner ? (
        <p className="muted">{t('data.close.ownerOnly')}</p>
      ) : (
        <form onSubmit={submit} noValidate>
          {errors.form && <Alert>{errors.form}</Alert>}
          <InputField
            label={t('data.close.type', { name })}
            value={typed}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setTyped(e.target.value)}
            error={errors.fields.confirm_name}
          />
          <Button type="submit" variant="danger" busy={busy} disabled={typed !== name || !name}>
            {busy ? t('data.close.closing') : t('data.close.submit')}
          </Button>
        </form>
      )}
    </section>
  );
}
