import { useMemo, useState } from 'react';
import { api } from '../../api/endpoints';
import type { BusinessHours } from '../../api/types';
import { WeeklyEditor, badRanges, browserTimezone, defaultWeek, timezones } from '../../components/WeeklyEditor';
import { Button, Field, SelectField, Switch, TextareaField } from '../../components/ui';
import { t } from '../../i18n';
import { formatDate } from '../../lib/format';
import type { SettingsProps } from './Settings';
import { SettingsForm, useSave } from './common';

export function defaultHours(): BusinessHours {
  return { enabled: false, timezone: browserTimezone(), weekly: defaultWeek(), holidays: [] };
}

export function BusinessHoursSection({ title, settings, onSaved }: SettingsProps) {
  const initial = useMemo<BusinessHours>(() => {
    const base = defaultHours();
    const h = settings.business_hours;
    if (!h || !h.timezone) return base;
    return { ...base, ...h, weekly: { ...base.weekly, ...(h.weekly ?? {}) }, holidays: h.holidays ?? [] };
  }, [settings.business_hours]);
  const [h, setH] = useState<BusinessHours>(initial);
  const [offline, setOffline] = useState(settings.offline_message ?? '');
  const [holiday, setHoliday] = useState('');
  const { busy, errors, save, setErrors } = useSave(['enabled', 'timezone', 'weekly', 'holidays', 'offline_message'], {
    business_hours: 'weekly',
  });
  const bad = badRanges(h.weekly);
  const dirty = JSON.stringify(h) !== JSON.stringify(initial) || offline !== (settings.offline_message ?? '');
  const submit = () => {
    if (bad.size) {
      setErrors({ fields: { weekly: t('hours.rangeInvalid') } });
      return;
    }
    void save(async () => onSaved(await api.updateSettings({ business_hours: h, offline_message: offline })));
  };
  const holidays = h.holidays ?? [];
  return (
    <SettingsForm title={title} lead={t('hours.lead')} busy={busy} formError={errors.form} dirty={dirty} onSubmit={submit}>
      <Switch label={t('hours.enabled')} checked={h.enabled} onChange={(v) => setH({ ...h, enabled: v })} hint={h.enabled ? undefined : t('hours.alwaysOpen')} />
      <fieldset disabled={!h.enabled} className="hours-fieldset">
        <SelectField label={t('hours.timezone')} value={h.timezone} onChange={(e) => setH({ ...h, timezone: e.target.value })} error={errors.fields.timezone}>
          {timezones(h.timezone).map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </SelectField>
        <WeeklyEditor
          legend={t('hours.weekly')}
          weekly={h.weekly ?? {}}
          bad={bad}
          error={errors.fields.weekly}
          onChange={(weekly) => setH({ ...h, weekly })}
          labels={{ empty: t('hours.closed'), from: (day) => t('hours.from', { day }), to: (day) => t('hours.to', { day }) }}
        />
        <fieldset className="holidays">
          <legend>{t('hours.holidays')}</legend>
          <p className="field-hint">{t('hours.holidaysLead')}</p>
          {errors.fields.holidays && (
            <p className="field-error" role="alert">
              {errors.fields.holidays}
            </p>
          )}
          {holidays.length ? (
            <ul className="domain-list">
              {holidays.map((d) => (
                <li key={d}>
                  <span>{formatDate(d)}</span>
                  <Button small variant="ghost" aria-label={t('hours.removeHoliday', { date: formatDate(d) })} onClick={() => setH({ ...h, holidays: holidays.filter((x) => x !== d) })}>
                    {t('common.remove')}
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('hours.noHolidays')}</p>
          )}
          <div className="inline-form">
            <Field label={t('hours.holidayDate')}>
              {({ id }) => <input id={id} type="date" value={holiday} onChange={(e) => setHoliday(e.target.value)} />}
            </Field>
            <Button
              onClick={() => {
                if (holiday && !holidays.includes(holiday)) setH({ ...h, holidays: [...holidays, holiday].sort() });
                setHoliday('');
              }}
              disabled={!holiday}
            >
              {t('hours.addHoliday')}
            </Button>
          </div>
        </fieldset>
      </fieldset>
      <TextareaField label={t('hours.offlineMessage')} rows={3} maxLength={1000} value={offline} onChange={(e) => setOffline(e.target.value)} hint={t('hours.offlineMessageHint')} error={errors.fields.offline_message} />
    </SettingsForm>
  );
}
