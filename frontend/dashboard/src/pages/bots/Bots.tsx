import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { botApi, type BotConfig, type Skill } from '../../api/bot';
import { ApiError } from '../../api/http';
import { isAdmin, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Button, ErrorState, InputField, PageHeader, Spinner, Switch, TextareaField, useToast } from '../../components/ui';
import { t, type MessageKey } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { useAsync } from '../../lib/hooks';
import { Link } from '../../lib/router';
import { ApiKeys } from './ApiKeys';
import { AppointmentsEditor } from './Appointments';
import { Bookings } from './Bookings';
import { FAQEditor, TryPanel } from './FAQ';
import { OrderStatusEditor } from './OrderStatus';
import { SecretField } from './SecretField';
import { PlanNotice, SkillsEditor, skillName } from './Skills';
import { SECTION_OF, addEntry, enabledSkills, fieldPaths, incompleteEntries, isDirty, planSkill, resolveField, testPattern, toConfig, toDraft, type Draft } from './model';
import { badRanges } from '../../components/WeeklyEditor';
import './bots.css';

type Load = { kind: 'config'; config: BotConfig } | { kind: 'readonly' } | { kind: 'plan' };

/** loadBot reads the bot; a member who may not read it and a plan without bots are states, not errors. */
async function loadBot(): Promise<Load> {
  try {
    return { kind: 'config', config: await botApi.get() };
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 403) return { kind: 'readonly' };
      if (err.status === 402) return { kind: 'plan' };
    }
    throw err;
  }
}

/**
 * Bots is the bot's page: owners and admins configure it (skills, their
 * settings, API keys); everyone sees and may cancel bookings.
 */
export function Bots() {
  usePageTitle(t('nav.bots'));
  const s = useSession();
  const admin = isAdmin(s);
  const load = useAsync(loadBot, [admin]);
  const d = load.data;
  return (
    <div className="page bots-page">
      <PageHeader title={t('bots.title')} lead={t('bots.lead')} />
      {load.loading && !d ? (
        <Spinner />
      ) : load.error ? (
        <ErrorState error={load.error} onRetry={load.reload} />
      ) : !d ? null : d.kind === 'config' ? (
        <BotEditor config={d.config} onSaved={(config) => load.setData({ kind: 'config', config })} />
      ) : (
        <>
          {d.kind === 'plan' ? (
            <Alert kind="info">
              {t('bots.plan.none')} <Link href="/billing">{t('bots.plan.link')}</Link>
            </Alert>
          ) : (
            <Alert kind="info">{t('bots.readOnly')}</Alert>
          )}
          <BookingsCard />
        </>
      )}
    </div>
  );
}

function Card({ id, title, lead, children, off, tag }: { id: string; title: string; lead?: ReactNode; children: ReactNode; off?: boolean; tag?: ReactNode }) {
  return (
    <section className={`card bot-card${off ? ' bot-card-off' : ''}`} id={`bot-${id}`} aria-labelledby={`bot-${id}-title`}>
      <div className="bot-card-head">
        <h2 id={`bot-${id}-title`}>{title}</h2>
        {tag}
      </div>
      {lead && <p className="field-hint bot-card-lead">{lead}</p>}
      {children}
    </section>
  );
}

function BookingsCard() {
  return (
    <Card id="bookings" title={t('bots.bookings.title')} lead={t('bots.bookings.lead')}>
      <Bookings />
    </Card>
  );
}

const NAV: { id: string; label: MessageKey }[] = [
  { id: 'general', label: 'bots.general' },
  { id: 'skills', label: 'bots.skills' },
  { id: 'faq', label: 'bots.skill.faq' },
  { id: 'order-status', label: 'bots.skill.order_status' },
  { id: 'appointments', label: 'bots.skill.appointments' },
  { id: 'after-hours', label: 'bots.skill.after_hours' },
  { id: 'external', label: 'bots.skill.external' },
  { id: 'keys', label: 'bots.keys.title' },
  { id: 'bookings', label: 'bots.bookings.title' },
];

interface Errors {
  fields: Record<string, string>;
  form?: string;
  plan: Set<Skill>;
  planForm?: boolean;
}

const noErrors = (): Errors => ({ fields: {}, plan: new Set() });

function BotEditor({ config, onSaved }: { config: BotConfig; onSaved: (c: BotConfig) => void }) {
  const toast = useToast();
  const initial = useMemo(() => toDraft(config), [config]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Errors>(noErrors);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const focusError = useRef(false);
  // A save answers with the stored config: start again from it.
  useEffect(() => setDraft(initial), [initial]);
  // "Add to FAQ" on the Reports page links here with ?faq_question=…: start a
  // new FAQ entry with that question, for the admin to answer.
  useEffect(() => {
    const question = new URLSearchParams(window.location.search).get('faq_question')?.trim();
    if (!question) return;
    const entries = addEntry(initial.faq.entries);
    const added = { ...entries[entries.length - 1], question };
    setDraft((d) => ({ ...d, faq: { ...d.faq, entries: [...entries.slice(0, -1), added] } }));
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-faq-q="${added.key}"]`)?.focus());
  }, [initial]);
  // After a failed save, take the agent to the first field in error.
  useEffect(() => {
    if (!focusError.current) return;
    focusError.current = false;
    const el = formRef.current?.querySelector<HTMLElement>('[aria-invalid=true], .field-error, .plan-notice, .alert-error');
    if (!el) return;
    el.scrollIntoView?.({ block: 'center' });
    if (el.matches('input, select, textarea')) el.focus();
  }, [errors]);

  const dirty = isDirty(initial, draft);
  const err = (path: string) => errors.fields[path] || undefined;
  const on = new Set(enabledSkills(draft.skills));
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    // Editing a section clears its errors.
    if (Object.keys(errors.fields).some((f) => f === k || f.startsWith(`${String(k)}.`))) {
      setErrors((e) => ({ ...e, fields: Object.fromEntries(Object.entries(e.fields).filter(([f]) => !(f === k || f.startsWith(`${String(k)}.`)))) }));
    }
  };

  /** check finds the mistakes the browser can see before a round trip. */
  const check = (): Record<string, string> => {
    const f: Record<string, string> = {};
    for (const i of incompleteEntries(draft.faq.entries)) {
      const e = draft.faq.entries[i];
      if (!e.question.trim()) f[`faq.entries.${i}.question`] = t('bots.faq.questionRequired');
      if (!e.answer.trim()) f[`faq.entries.${i}.answer`] = t('bots.faq.answerRequired');
    }
    if (badRanges(draft.appointments.weekly).size) f['appointments.weekly'] = t('hours.rangeInvalid');
    const p = testPattern(draft.order_status.number_pattern, '');
    if (p.state === 'invalid' || p.state === 'unsupported') f['order_status.number_pattern'] = p.state === 'invalid' ? t('bots.order.patternInvalid', { error: p.error }) : t('bots.order.patternUnsupported');
    draft.appointments.services.forEach((s, i) => {
      if (!s.name.trim()) f[`appointments.services.${i}.name`] = t('bots.appt.serviceNameRequired');
    });
    return f;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = check();
    if (Object.keys(local).length) {
      focusError.current = true;
      setErrors({ ...noErrors(), fields: local, form: t('bots.fixErrors') });
      return;
    }
    setBusy(true);
    setErrors(noErrors());
    const body = toConfig(draft);
    try {
      const saved = await botApi.save(body);
      onSaved(saved);
      toast(t('common.saved'));
    } catch (err) {
      focusError.current = true;
      if (err instanceof ApiError && err.status === 402) {
        const skill = planSkill(err, body.skills ?? []);
        setErrors({ ...noErrors(), plan: new Set(skill ? [skill] : []), planForm: !skill });
      } else if (err instanceof ApiError && err.field) {
        const where = resolveField(err.field, fieldPaths(draft));
        if (where) setErrors({ ...noErrors(), fields: { [where]: errorMessage(err) } });
        else setErrors({ ...noErrors(), form: errorMessage(err) });
      } else {
        setErrors({ ...noErrors(), form: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const offTag = (s: Skill) =>
    on.has(s) ? (
      <span className="tag tag-status-open">{t('bots.on')}</span>
    ) : (
      <span className="tag">{t('bots.off')}</span>
    );
  const sectionErrors = Object.keys(errors.fields).map((f) => SECTION_OF[f.split('.')[0]]);

  return (
    <>
      <nav className="bot-nav" aria-label={t('bots.nav')}>
        <ul>
          {NAV.map((n) => (
            <li key={n.id}>
              <a href={`#bot-${n.id}`} className={sectionErrors.includes(n.id) ? 'has-error' : ''}>
                {t(n.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <form ref={formRef} className="bot-form" onSubmit={submit} noValidate aria-label={t('bots.formLabel')}>
        {errors.form && <Alert>{errors.form}</Alert>}
        {errors.planForm && <PlanNotice what={t('bots.plan.skill')} />}
        <Card id="general" title={t('bots.general')}>
          <Switch label={t('bots.enabled')} checked={draft.enabled} onChange={(v) => set('enabled', v)} hint={draft.enabled ? t('bots.enabledHint') : t('bots.disabledHint')} />
          <InputField label={t('bots.name')} value={draft.name} maxLength={50} placeholder={t('bots.namePlaceholder')} hint={t('bots.nameHint')} error={err('name')} onChange={(e) => set('name', e.target.value)} />
        </Card>
        <Card id="skills" title={t('bots.skills')} lead={t('bots.skills.lead')}>
          <SkillsEditor rows={draft.skills} onChange={(rows) => set('skills', rows)} planSkills={errors.plan} error={err('skills')} />
        </Card>
        <Card id="faq" title={skillName('faq')} lead={t('bots.faq.lead')} off={!on.has('faq')} tag={offTag('faq')}>
          <div className="faq-layout">
            <div>
              <FAQEditor
                threshold={draft.faq.threshold}
                entries={draft.faq.entries}
                onThreshold={(threshold) => set('faq', { ...draft.faq, threshold })}
                onEntries={(entries) => set('faq', { ...draft.faq, entries })}
                err={err}
              />
            </div>
            <TryPanel dirty={dirty} threshold={initial.faq.threshold} />
          </div>
        </Card>
        <Card id="order-status" title={skillName('order_status')} lead={t('bots.order.lead')} off={!on.has('order_status')} tag={offTag('order_status')}>
          <OrderStatusEditor os={draft.order_status} onChange={(v) => set('order_status', v)} err={err} />
        </Card>
        <Card id="appointments" title={skillName('appointments')} lead={t('bots.appt.lead')} off={!on.has('appointments')} tag={offTag('appointments')}>
          <AppointmentsEditor a={draft.appointments} onChange={(v) => set('appointments', v)} err={err} />
        </Card>
        <Card
          id="after-hours"
          title={skillName('after_hours')}
          lead={
            <>
              {t('bots.after.lead')} <Link href="/settings/hours">{t('bots.after.hoursLink')}</Link>
            </>
          }
          off={!on.has('after_hours')}
          tag={offTag('after_hours')}
        >
          <TextareaField
            label={t('bots.after.message')}
            rows={3}
            maxLength={500}
            value={draft.after_hours.message}
            placeholder={t('bots.after.placeholder')}
            hint={t('bots.after.hint')}
            error={err('after_hours.message') ?? err('after_hours')}
            onChange={(e) => set('after_hours', { message: e.target.value })}
          />
        </Card>
        <Card id="external" title={skillName('external')} lead={t('bots.ext.lead')} off={!on.has('external')} tag={offTag('external')}>
          <InputField
            label={t('bots.ext.url')}
            type="url"
            inputMode="url"
            placeholder="https://bot.example.com/parley"
            value={draft.external.url}
            hint={t('bots.ext.urlHint')}
            error={err('external.url')}
            onChange={(e) => set('external', { ...draft.external, url: e.target.value })}
          />
          <SecretField
            label={t('bots.ext.secret')}
            isSet={draft.external.secret_set}
            value={draft.external.secret}
            error={err('external.secret')}
            hint={t('bots.ext.secretHint')}
            onChange={(secret) => set('external', { ...draft.external, secret })}
          />
          <p className="field-hint">
            {t('bots.ext.keysHint')} <a href="#bot-keys">{t('bots.keys.title')}</a>
          </p>
        </Card>
        <div className="bot-savebar" role="region" aria-label={t('bots.saveBar')}>
          {dirty ? <span className="field-hint">{t('common.unsaved')}</span> : <span className="field-hint">{t('bots.allSaved')}</span>}
          {dirty && (
            <Button onClick={() => { setDraft(initial); setErrors(noErrors()); }} disabled={busy}>
              {t('bots.discard')}
            </Button>
          )}
          <Button type="submit" variant="primary" busy={busy} disabled={!dirty}>
            {busy ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </form>
      <Card id="keys" title={t('bots.keys.title')} lead={t('bots.keys.lead')}>
        <ApiKeys />
      </Card>
      <BookingsCard />
    </>
  );
}
