import { useMemo, useState } from 'react';
import { api } from '../../api/endpoints';
import type { SurveyScale, WidgetSettings } from '../../api/types';
import { useSession } from '../../app/session';
import { InputField, SelectField, Switch, Field } from '../../components/ui';
import { t } from '../../i18n';
import { previewUrl } from '../GettingStarted';
import type { SettingsProps } from './Settings';
import { SettingsForm, useSave } from './common';
import { filesApi } from '../../api/files';
import { ImageUpload, MAX_IMAGE_BYTES } from '../../components/ImageUpload';
import { useToast } from '../../components/ui';

const HEX = /^#[0-9a-fA-F]{6}$/;
const FIELDS = ['enabled', 'color', 'position', 'launcher_text', 'greeting_anonymous', 'greeting_identified', 'greeting_delay_seconds', 'theme', 'locale', 'reply_time'];

export const widgetDefaults: WidgetSettings = {
  enabled: true,
  color: '#4f46e5',
  position: 'right',
  launcher_text: '',
  greeting_anonymous: 'Hi there! How can we help?',
  greeting_identified: 'Hi {name}! How can we help?',
  greeting_delay_seconds: 5,
  theme: 'auto',
  locale: '',
  reply_time: 'minutes',
  require_verified_identity: false,
};

/** formWidget is the part of the widget settings this form edits: the logo has its own upload. */
function formWidget(w: WidgetSettings): WidgetSettings {
  const { logo_url: _logo, ...rest } = { ...widgetDefaults, ...w };
  return rest;
}

export function WidgetSection({ title, settings, onSaved }: SettingsProps) {
  const s = useSession();
  const toast = useToast();
  const initial = formWidget(settings.widget);
  const logo = settings.widget.logo_url;
  const [w, setW] = useState<WidgetSettings>(initial);
  const [colorText, setColorText] = useState(initial.color);
  const initialSurvey = settings.survey ?? { enabled: true, scale: 'five' as SurveyScale };
  const [survey, setSurvey] = useState(initialSurvey);
  const { busy, errors, save, clear, setErrors } = useSave([...FIELDS, 'survey.enabled', 'survey.scale']);
  const dirty = JSON.stringify(w) !== JSON.stringify(initial) || JSON.stringify(survey) !== JSON.stringify(initialSurvey);
  const set = <K extends keyof WidgetSettings>(k: K, v: WidgetSettings[K]) => {
    setW({ ...w, [k]: v });
    clear(k);
  };
  const submit = () => {
    if (!HEX.test(w.color)) {
      setErrors({ fields: { color: t('widget.colorInvalid') } });
      return;
    }
    // The logo is set only by its upload; the update sends back the one stored.
    void save(async () => onSaved(await api.updateSettings({ widget: { ...w, logo_url: logo }, survey })));
  };
  return (
    <SettingsForm
      title={title}
      lead={t('widget.lead')}
      onSubmit={submit}
      busy={busy}
      formError={errors.form}
      dirty={dirty}
      aside={
        <div className="preview-col">
          <section className="card" aria-labelledby="widget-logo">
            <h2 id="widget-logo">{t('logo.title')}</h2>
            <p className="field-hint">{t('logo.lead')}</p>
            <ImageUpload
              current={logo}
              maxBytes={MAX_IMAGE_BYTES}
              labels={{ choose: 'logo.choose', change: 'logo.change', save: 'logo.save', remove: 'logo.remove', none: 'logo.none', current: 'logo.current', progress: 'logo.progress' }}
              upload={async (file, opts) => onSaved(await filesApi.setLogo(file, opts))}
              remove={async () => onSaved(await filesApi.removeLogo())}
              onDone={(what) => toast(t(what === 'saved' ? 'logo.saved' : 'logo.removed'))}
            />
          </section>
          <h2 className="preview-title">{t('widget.preview')}</h2>
          <p className="field-hint">{t('widget.preview.lead')}</p>
          <WidgetPreview w={{ ...w, logo_url: logo }} business={s.tenant?.name ?? ''} />
          {s.tenant?.widget_key && (
            <a className="btn btn-secondary" href={previewUrl(s.tenant.widget_key)} target="_blank" rel="noopener">
              {t('widget.preview.open')} <span aria-hidden="true">↗</span>
            </a>
          )}
        </div>
      }
    >
      <Switch label={t('widget.enabled')} checked={w.enabled} onChange={(v) => set('enabled', v)} />
      <Field label={t('widget.color')} error={errors.fields.color}>
        {({ id, describedBy, invalid }) => (
          <div className="color-row">
            <input
              id={id}
              type="color"
              value={HEX.test(w.color) ? w.color : '#000000'}
              aria-describedby={describedBy}
              onChange={(e) => {
                set('color', e.target.value);
                setColorText(e.target.value);
              }}
            />
            <label className="sr-only" htmlFor={`${id}-hex`}>
              {t('widget.colorHex')}
            </label>
            <input
              id={`${id}-hex`}
              className="color-hex"
              value={colorText}
              maxLength={7}
              aria-invalid={invalid || undefined}
              aria-describedby={describedBy}
              spellCheck={false}
              onChange={(e) => {
                const v = e.target.value.trim();
                setColorText(v);
                set('color', v.startsWith('#') ? v : `#${v}`);
              }}
            />
          </div>
        )}
      </Field>
      <fieldset className="radio-group">
        <legend>{t('widget.position')}</legend>
        {(['right', 'left'] as const).map((p) => (
          <label key={p} className="radio">
            <input type="radio" name="position" value={p} checked={w.position === p} onChange={() => set('position', p)} />
            {t(`widget.position.${p}`)}
          </label>
        ))}
      </fieldset>
      <InputField label={t('widget.launcherText')} value={w.launcher_text} maxLength={40} onChange={(e) => set('launcher_text', e.target.value)} hint={t('widget.launcherTextHint')} error={errors.fields.launcher_text} />
      <InputField label={t('widget.greetingAnonymous')} value={w.greeting_anonymous} maxLength={300} onChange={(e) => set('greeting_anonymous', e.target.value)} error={errors.fields.greeting_anonymous} />
      <InputField
        label={t('widget.greetingIdentified')}
        value={w.greeting_identified}
        maxLength={300}
        onChange={(e) => set('greeting_identified', e.target.value)}
        hint={t('widget.greetingIdentifiedHint')}
        error={errors.fields.greeting_identified}
      />
      <InputField
        label={t('widget.greetingDelay')}
        type="number"
        min={-1}
        max={600}
        value={String(w.greeting_delay_seconds)}
        onChange={(e) => set('greeting_delay_seconds', Number.parseInt(e.target.value || '0', 10))}
        hint={t('widget.greetingDelayHint')}
        error={errors.fields.greeting_delay_seconds}
      />
      <div className="field-row">
        <SelectField label={t('widget.theme')} value={w.theme} onChange={(e) => set('theme', e.target.value as WidgetSettings['theme'])} error={errors.fields.theme}>
          <option value="auto">{t('widget.theme.auto')}</option>
          <option value="light">{t('widget.theme.light')}</option>
          <option value="dark">{t('widget.theme.dark')}</option>
        </SelectField>
        <SelectField label={t('widget.replyTime')} value={w.reply_time} onChange={(e) => set('reply_time', e.target.value as WidgetSettings['reply_time'])} error={errors.fields.reply_time}>
          <option value="minutes">{t('widget.replyTime.minutes')}</option>
          <option value="hours">{t('widget.replyTime.hours')}</option>
          <option value="day">{t('widget.replyTime.day')}</option>
        </SelectField>
      </div>
      <SelectField label={t('widget.locale')} value={w.locale} onChange={(e) => set('locale', e.target.value)} error={errors.fields.locale}>
        <option value="">{t('widget.locale.auto')}</option>
        <option value="en">English</option>
        <option value="fr">Français</option>
        <option value="de">Deutsch</option>
        <option value="es">Español</option>
        <option value="pt">Português</option>
        <option value="it">Italiano</option>
        <option value="nl">Nederlands</option>
      </SelectField>
      <fieldset className="fieldset">
        <legend>{t('settings.survey')}</legend>
        <Switch label={t('settings.survey.enabled')} checked={survey.enabled} onChange={(enabled) => setSurvey({ ...survey, enabled })} />
        <SelectField label={t('settings.survey.scale')} value={survey.scale} disabled={!survey.enabled} error={errors.fields['survey.scale']}
          onChange={(e) => setSurvey({ ...survey, scale: e.target.value === 'thumbs' ? 'thumbs' : 'five' })}>
          <option value="five">{t('settings.survey.five')}</option>
          <option value="thumbs">{t('settings.survey.thumbs')}</option>
        </SelectField>
      </fieldset>
    </SettingsForm>
  );
}

/** contrastText picks black or white text for a background colour (WCAG relative luminance). */
export function contrastText(hex: string): '#ffffff' | '#111827' {
  if (!HEX.test(hex)) return '#ffffff';
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white is (1.05)/(l+0.05); prefer white while it reaches 4.5:1.
  return 1.05 / (l + 0.05) >= 4.5 ? '#ffffff' : '#111827';
}

/** WidgetPreview draws the widget as visitors see it, from unsaved settings. */
export function WidgetPreview({ w, business }: { w: WidgetSettings; business: string }) {
  const color = HEX.test(w.color) ? w.color : widgetDefaults.color;
  const fg = contrastText(color);
  const dark = w.theme === 'dark';
  const style = useMemo(() => ({ '--wc': color, '--wfg': fg }) as React.CSSProperties, [color, fg]);
  return (
    <div className={`wp${dark ? ' wp-dark' : ''} wp-${w.position}${w.enabled ? '' : ' wp-disabled'}`} style={style} data-testid="widget-preview" aria-hidden="true">
      <div className="wp-site">
        <span className="wp-line" />
        <span className="wp-line short" />
        <span className="wp-line" />
      </div>
      <div className="wp-panel">
        <div className="wp-head">
          <span className="wp-head-row">
            {w.logo_url && <img className="wp-logo" src={w.logo_url} alt="" data-testid="widget-preview-logo" />}
            <strong>{t('widget.preview.header', { business: business || 'Acme' })}</strong>
          </span>
          <span>{t('widget.preview.status', { time: t(`widget.replyTime.${w.reply_time}`).toLowerCase() })}</span>
        </div>
        <div className="wp-body">
          {w.greeting_anonymous && <div className="wp-msg wp-msg-agent">{w.greeting_anonymous}</div>}
          <div className="wp-msg wp-msg-visitor">{t('widget.preview.visitorMsg')}</div>
        </div>
        <div className="wp-input">{t('widget.preview.placeholder')}</div>
      </div>
      <div className={`wp-launcher${w.launcher_text ? ' wp-launcher-text' : ''}`}>
        <span>💬</span>
        {w.launcher_text && <span>{w.launcher_text}</span>}
      </div>
    </div>
  );
}
