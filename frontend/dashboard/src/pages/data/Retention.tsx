import { useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { dataApi } from '../../api/data';
import type { Settings } from '../../api/types';
import { Alert, Button, Dialog, ErrorState, InputField, Spinner, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { formErrors, type FormErrors } from '../../lib/fieldErrors';
import { useAsync } from '../../lib/hooks';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, retentionConfirm, retentionError } from './logic';

const FIELDS = ['retention_days', 'days'] as const;

/**
 * RetentionSection sets how long conversations are kept. Before a setting
 * that deletes is saved, the preview says how many conversations go at once
 * and the admin confirms.
 */
export function RetentionSection() {
  const st = useAsync(() => api.settings(), []);
  return (
    <section className="card data-card" aria-labelledby="data-retention">
      <h2 id="data-retention">{t('data.retention.title')}</h2>
      <p>{t('data.retention.lead')}</p>
      {st.loading && !st.data ? <Spinner /> : st.error || !st.data ? <ErrorState error={st.error} onRetry={st.reload} /> : <RetentionForm settings={st.data} onSaved={st.setData} />}
    </section>
  );
}

function RetentionForm({ settings, onSaved }: { settings: Settings; onSaved: (s: Settings) => void }) {
  const toast = useToast();
  const saved = settings.retention_days ?? 0;
  const [on, setOn] = useState(saved > 0);
  const [days, setDays] = useState(String(saved || 365));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [confirm, setConfirm] = useState<string | null>(null);
  const wanted = on ? Number(days) : 0;
  const dirty = wanted !== saved;

  const save = async () => {
    setBusy(true);
    try {
      const s = await api.updateSettings({ retention_days: wanted });
      onSaved(s);
      setConfirm(null);
      toast(t('data.retention.saved'));
    } catch (err) {
      setConfirm(null);
      setErrors(aliased(formErrors(err, FIELDS)));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({ fields: {} });
    const bad = retentionError(wanted);
    if (bad) {
      setErrors({ fields: { retention_days: bad } });
      return;
    }
    if (wanted === 0) return save();
    setBusy(true);
    try {
      setConfirm(retentionConfirm(await dataApi.retentionPreview(wanted)));
    } catch (err) {
      setErrors(aliased(formErrors(err, FIELDS)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <p className="muted" data-testid="retention-current">
        {saved ? t('data.retention.current.on', { days: saved }) : t('data.retention.current.off')}
      </p>
      {errors.form && <Alert>{errors.form}</Alert>}
      <fieldset className="radio-group">
        <legend className="sr-only">{t('data.retention.title')}</legend>
        <label className="radio">
          <input type="radio" name="retention" checked={!on} onChange={() => setOn(false)} /> {t('data.retention.off')}
        </label>
        <label className="radio">
          <input type="radio" name="retention" checked={on} onChange={() => setOn(true)} /> {t('data.retention.on')}
        </label>
      </fieldset>
      {on && (
        <InputField
          label={t('data.retention.days')}
          type="number"
          inputMode="numeric"
          min={MIN_RETENTION_DAYS}
          max={MAX_RETENTION_DAYS}
          step={1}
          value={days}
          onChange={(e) => setDays(e.target.value)}
          error={errors.fields.retention_days}
          hint={t('data.retention.hint', { min: MIN_RETENTION_DAYS, max: MAX_RETENTION_DAYS })}
        />
      )}
      <div className="form-actions">
        {dirty && <span className="field-hint">{t('common.unsaved')}</span>}
        <Button type="submit" variant="primary" busy={busy && !confirm} disabled={!dirty}>
          {busy && !confirm ? t('data.retention.checking') : t('common.save')}
        </Button>
      </div>
      <Dialog
        open={confirm !== null}
        title={t('data.retention.confirmTitle')}
        onClose={() => setConfirm(null)}
        footer={
          <>
            <Button onClick={() => setConfirm(null)}>{t('common.cancel')}</Button>
            <Button variant="danger" busy={busy} onClick={() => void save()}>
              {t('data.retention.confirm')}
            </Button>
          </>
        }
      >
        <p data-testid="retention-confirm">{confirm}</p>
      </Dialog>
    </form>
  );
}

/** aliased shows the preview's "days" error on the one days field. */
function aliased(e: FormErrors): FormErrors {
  return e.fields.days ? { fields: { retention_days: e.fields.days } } : e;
}
