import { useMemo } from 'react';
import { Button, InputField, SelectField } from '../../components/ui';
import { t } from '../../i18n';
import { newService, type Draft } from './model';
import { WeeklyEditor, badRanges, timezones } from '../../components/WeeklyEditor';

type Appt = Draft['appointments'];

/** AppointmentsEditor: time zone, weekly availability, buffer, horizon and the services one can book. */
export function AppointmentsEditor({ a, onChange, err }: { a: Appt; onChange: (a: Appt) => void; err: (p: string) => string | undefined }) {
  const bad = badRanges(a.weekly);
  // Some 400 zones: build the options once per choice, not on every keystroke elsewhere.
  const zones = useMemo(
    () =>
      timezones(a.timezone).map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, ' ')}
        </option>
      )),
    [a.timezone],
  );
  const setService = (key: string, patch: Partial<Appt['services'][number]>) =>
    onChange({ ...a, services: a.services.map((s) => (s.key === key ? { ...s, ...patch } : s)) });
  const addService = () => {
    const s = newService();
    onChange({ ...a, services: [...a.services, s] });
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-service="${s.key}"]`)?.focus());
  };
  return (
    <>
      <SelectField label={t('bots.appt.timezone')} value={a.timezone} error={err('appointments.timezone')} onChange={(e) => onChange({ ...a, timezone: e.target.value })} hint={t('bots.appt.timezoneHint')}>
        {zones}
      </SelectField>
      <WeeklyEditor
        legend={t('bots.appt.weekly')}
        weekly={a.weekly}
        bad={bad}
        error={err('appointments.weekly') ?? (bad.size ? t('hours.rangeInvalid') : undefined)}
        onChange={(weekly) => onChange({ ...a, weekly })}
        labels={{ empty: t('bots.appt.unavailable'), from: (day) => t('bots.appt.from', { day }), to: (day) => t('bots.appt.to', { day }) }}
      />
      <div className="field-row">
        <InputField
          label={t('bots.appt.buffer')}
          type="number"
          min={0}
          max={240}
          step={5}
          value={String(a.buffer_minutes)}
          error={err('appointments.buffer_minutes')}
          hint={t('bots.appt.bufferHint')}
          onChange={(e) => onChange({ ...a, buffer_minutes: e.target.value === '' ? 0 : Number(e.target.value) })}
        />
        <InputField
          label={t('bots.appt.horizon')}
          type="number"
          min={1}
          max={365}
          value={String(a.horizon_days)}
          error={err('appointments.horizon_days')}
          hint={t('bots.appt.horizonHint')}
          onChange={(e) => onChange({ ...a, horizon_days: e.target.value === '' ? 0 : Number(e.target.value) })}
        />
      </div>
      <h3 id="appt-services-title">{t('bots.appt.services')}</h3>
      {err('appointments.services') && (
        <p className="field-error" role="alert">
          {err('appointments.services')}
        </p>
      )}
      {a.services.length === 0 ? (
        <p className="muted">{t('bots.appt.noServices')}</p>
      ) : (
        <ul className="service-list" aria-labelledby="appt-services-title">
          {a.services.map((s, i) => (
            <li key={s.key} className="service-row">
              <InputField
                data-service={s.key}
                label={t('bots.appt.serviceName', { n: i + 1 })}
                value={s.name}
                maxLength={60}
                error={err(`appointments.services.${i}.name`) ?? err(`appointments.services.${i}`)}
                onChange={(e) => setService(s.key, { name: e.target.value })}
              />
              <InputField
                label={t('bots.appt.duration', { n: i + 1 })}
                type="number"
                min={5}
                max={480}
                step={5}
                value={String(s.duration_minutes)}
                error={err(`appointments.services.${i}.duration_minutes`)}
                onChange={(e) => setService(s.key, { duration_minutes: e.target.value === '' ? 0 : Number(e.target.value) })}
              />
              <Button small variant="ghost" aria-label={t('bots.appt.removeService', { name: s.name || String(i + 1) })} onClick={() => onChange({ ...a, services: a.services.filter((x) => x.key !== s.key) })}>
                {t('common.remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Button onClick={addService}>+ {t('bots.appt.addService')}</Button>
    </>
  );
}
