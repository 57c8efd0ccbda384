// The Bots page's state logic, kept free of React so it can be tested alone:
// the editable draft of a BotConfig, skill ordering, the FAQ editor, mapping
// API field errors onto the form, the order-number pattern tester and the
// reply-template preview.
import { ApiError } from '../../api/http';
import { SKILLS, SKILL_FEATURES, type AppointmentService, type BotConfig, type FAQEntry, type Skill } from '../../api/bot';
import { WEEKDAYS, type TimeRange, type Weekday } from '../../api/types';
import { browserTimezone, defaultWeek } from '../../components/WeeklyEditor';

// ---- the draft --------------------------------------------------------

/** A FAQ entry being edited: alternatives are the textarea's lines, untrimmed, and key is a local React key. */
export interface DraftEntry {
  key: string;
  id: string;
  question: string;
  alternatives: string[];
  answer: string;
}

export interface DraftService extends AppointmentService {
  key: string;
}

export interface SkillRow {
  id: Skill;
  enabled: boolean;
}

/** Draft is what the form edits; toConfig turns it into the PUT body. */
export interface Draft {
  enabled: boolean;
  name: string;
  skills: SkillRow[];
  faq: { threshold: number; entries: DraftEntry[] };
  order_status: { url: string; secret: string; secret_set: boolean; number_pattern: string; reply_template: string };
  appointments: { timezone: string; weekly: Record<Weekday, TimeRange[]>; buffer_minutes: number; horizon_days: number; services: DraftService[] };
  after_hours: { message: string };
  external: { url: string; secret: string; secret_set: boolean };
}

let seq = 0;
/** localKey is a React key for rows the server has not named yet. */
export const localKey = () => `k${++seq}`;

export const DEFAULT_THRESHOLD = 0.5;

/** skillRows lists every skill: the enabled ones in their saved order, then the others. */
export function skillRows(saved: readonly string[] | null | undefined): SkillRow[] {
  const known = (saved ?? []).filter((s, i, a): s is Skill => (SKILLS as readonly string[]).includes(s) && a.indexOf(s) === i);
  return [...known.map((id) => ({ id, enabled: true })), ...SKILLS.filter((s) => !known.includes(s)).map((id) => ({ id, enabled: false }))];
}

/** moveSkill moves row i by delta (−1 up, +1 down); out-of-range moves change nothing. */
export function moveSkill(rows: readonly SkillRow[], i: number, delta: number): SkillRow[] {
  const j = i + delta;
  if (i < 0 || i >= rows.length || j < 0 || j >= rows.length) return rows.slice();
  const next = rows.slice();
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

export function toggleSkill(rows: readonly SkillRow[], id: Skill, enabled: boolean): SkillRow[] {
  return rows.map((r) => (r.id === id ? { ...r, enabled } : r));
}

/** enabledSkills is the API's `skills`: the enabled skills in the order they are tried. */
export function enabledSkills(rows: readonly SkillRow[]): Skill[] {
  return rows.filter((r) => r.enabled).map((r) => r.id);
}

export function toDraft(c: BotConfig): Draft {
  const hasWeekly = !!c.appointments?.weekly && Object.keys(c.appointments.weekly).length > 0;
  const weekly = defaultWeek();
  if (hasWeekly) for (const d of WEEKDAYS) weekly[d] = (c.appointments.weekly?.[d] ?? []).map((r) => ({ ...r }));
  return {
    enabled: !!c.enabled,
    name: c.name ?? '',
    skills: skillRows(c.skills),
    faq: {
      threshold: c.faq?.threshold > 0 && c.faq.threshold <= 1 ? c.faq.threshold : DEFAULT_THRESHOLD,
      entries: (c.faq?.entries ?? []).map((e) => ({ key: e.id || localKey(), id: e.id ?? '', question: e.question ?? '', alternatives: [...(e.alternatives ?? [])], answer: e.answer ?? '' })),
    },
    order_status: {
      url: c.order_status?.url ?? '',
      secret: '',
      secret_set: !!c.order_status?.secret_set,
      number_pattern: c.order_status?.number_pattern ?? '',
      reply_template: c.order_status?.reply_template ?? '',
    },
    appointments: {
      timezone: c.appointments?.timezone || browserTimezone(),
      weekly,
      buffer_minutes: c.appointments?.buffer_minutes ?? 0,
      horizon_days: c.appointments?.horizon_days || 14,
      services: (c.appointments?.services ?? []).map((s) => ({ ...s, key: s.id || localKey() })),
    },
    after_hours: { message: c.after_hours?.message ?? '' },
    external: { url: c.external?.url ?? '', secret: '', secret_set: !!c.external?.secret_set },
  };
}

/** cleanAlternatives trims the lines, drops empty ones and duplicates (case-insensitively). */
export function cleanAlternatives(lines: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of lines) {
    const s = l.trim();
    const k = s.toLowerCase();
    if (!s || seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

/** toConfig is the PUT /api/v1/bot body. Secrets left empty keep the stored ones. */
export function toConfig(d: Draft): BotConfig {
  const weekly: Partial<Record<Weekday, TimeRange[]>> = {};
  for (const day of WEEKDAYS) weekly[day] = d.appointments.weekly[day] ?? [];
  return {
    enabled: d.enabled,
    name: d.name.trim(),
    skills: enabledSkills(d.skills),
    faq: {
      threshold: d.faq.threshold,
      entries: d.faq.entries.map((e): FAQEntry => ({ id: e.id, question: e.question.trim(), alternatives: cleanAlternatives(e.alternatives), answer: e.answer.trim() })),
    },
    order_status: {
      url: d.order_status.url.trim(),
      secret: d.order_status.secret,
      secret_set: d.order_status.secret_set,
      number_pattern: d.order_status.number_pattern,
      reply_template: d.order_status.reply_template,
    },
    appointments: {
      timezone: d.appointments.timezone,
      weekly,
      buffer_minutes: Number(d.appointments.buffer_minutes) || 0,
      horizon_days: Number(d.appointments.horizon_days) || 0,
      services: d.appointments.services.map((s) => ({ id: s.id, name: s.name.trim(), duration_minutes: Number(s.duration_minutes) || 0 })),
    },
    after_hours: { message: d.after_hours.message },
    external: { url: d.external.url.trim(), secret: d.external.secret, secret_set: d.external.secret_set },
  };
}

/** isDirty compares what would be saved, so untrimmed whitespace or an empty line is not a change. */
export function isDirty(initial: Draft, draft: Draft): boolean {
  return JSON.stringify(toConfig(initial)) !== JSON.stringify(toConfig(draft));
}

// ---- the FAQ editor ---------------------------------------------------

export function newEntry(): DraftEntry {
  return { key: localKey(), id: '', question: '', alternatives: [], answer: '' };
}

export function addEntry(entries: readonly DraftEntry[]): DraftEntry[] {
  return [...entries, newEntry()];
}

export function updateEntry(entries: readonly DraftEntry[], key: string, patch: Partial<Omit<DraftEntry, 'key'>>): DraftEntry[] {
  return entries.map((e) => (e.key === key ? { ...e, ...patch } : e));
}

export function removeEntry(entries: readonly DraftEntry[], key: string): DraftEntry[] {
  return entries.filter((e) => e.key !== key);
}

/** alternativesFromText splits the textarea into lines, keeping them as typed (cleaned on save). */
export function alternativesFromText(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** incompleteEntries lists the entries that lack a question or an answer. */
export function incompleteEntries(entries: readonly DraftEntry[]): number[] {
  const out: number[] = [];
  entries.forEach((e, i) => {
    if (!e.question.trim() || !e.answer.trim()) out.push(i);
  });
  return out;
}

// ---- field errors -----------------------------------------------------

/** normalizePath writes "faq.entries[2].answer" as "faq.entries.2.answer". */
export function normalizePath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').replace(/^\.+|\.+$/g, '');
}

/**
 * resolveField finds where the form shows an API error about `field`: the
 * most specific of the form's field paths that is the field itself or one of
 * its parents ("faq.entries.2.answer" → "faq.entries.2.answer" if the form has
 * it, else "faq.entries"). undefined when the form has no such place.
 */
export function resolveField(field: string | undefined, paths: readonly string[]): string | undefined {
  if (!field) return undefined;
  const f = normalizePath(field);
  let best: string | undefined;
  for (const p of paths) {
    if ((f === p || f.startsWith(p + '.')) && (!best || p.length > best.length)) best = p;
  }
  return best;
}

/** fieldPaths are the places of the form that can show an error. */
export function fieldPaths(d: Draft): string[] {
  const p = [
    'enabled',
    'name',
    'skills',
    'faq',
    'faq.threshold',
    'faq.entries',
    'order_status',
    'order_status.url',
    'order_status.secret',
    'order_status.number_pattern',
    'order_status.reply_template',
    'appointments',
    'appointments.timezone',
    'appointments.weekly',
    'appointments.buffer_minutes',
    'appointments.horizon_days',
    'appointments.services',
    'after_hours',
    'after_hours.message',
    'external',
    'external.url',
    'external.secret',
  ];
  d.faq.entries.forEach((_, i) => p.push(`faq.entries.${i}`, `faq.entries.${i}.question`, `faq.entries.${i}.alternatives`, `faq.entries.${i}.answer`));
  d.appointments.services.forEach((_, i) => p.push(`appointments.services.${i}`, `appointments.services.${i}.name`, `appointments.services.${i}.duration_minutes`));
  return p;
}

/** SECTIONS maps a field path's first segment to the page section that holds it. */
export const SECTION_OF: Record<string, string> = {
  enabled: 'general',
  name: 'general',
  skills: 'skills',
  faq: 'faq',
  order_status: 'order-status',
  appointments: 'appointments',
  after_hours: 'after-hours',
  external: 'external',
};

/**
 * planSkill says which skill a 402 is about: the skill named by the problem's
 * field ("skills[1]" or "skills.order_status") or, failing that, a skill or
 * plan feature named in its detail. undefined when it cannot tell.
 */
export function planSkill(err: unknown, sent: readonly string[]): Skill | undefined {
  if (!(err instanceof ApiError) || err.status !== 402) return undefined;
  const f = normalizePath(err.field ?? '');
  const m = /^skills\.(\w+)$/.exec(f);
  if (m) {
    const byIndex = /^\d+$/.test(m[1]) ? sent[Number(m[1])] : m[1];
    if ((SKILLS as readonly string[]).includes(byIndex)) return byIndex as Skill;
  }
  const text = `${err.detail ?? ''} ${err.message}`.toLowerCase();
  for (const s of SKILLS) if (text.includes(SKILL_FEATURES[s])) return s;
  for (const s of SKILLS) if (new RegExp(`\\b${s}\\b`).test(text)) return s;
  return undefined;
}

// ---- order status -----------------------------------------------------

export type PatternResult = { state: 'empty' } | { state: 'invalid'; error: string } | { state: 'unsupported' } | { state: 'match' } | { state: 'nomatch' };

// Parley checks order numbers with Go's regexp (RE2): no look-around, no back-references.
const unsupported = /\(\?<?[=!]|\\[1-9]|\\k</;

/**
 * testPattern checks a sample order number against the pattern in the
 * browser. JavaScript and Go regular expressions agree on the usual
 * constructs (classes, anchors, counts, alternation); those Go lacks are
 * reported as unsupported rather than tested.
 */
export function testPattern(pattern: string, sample: string): PatternResult {
  if (!pattern) return { state: 'empty' };
  if (unsupported.test(pattern)) return { state: 'unsupported' };
  let re: RegExp;
  try {
    // Go writes named groups (?P<name>…); JavaScript (?<name>…).
    re = new RegExp(pattern.replace(/\(\?P</g, '(?<'));
  } catch (e) {
    return { state: 'invalid', error: (e as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  if (!sample) return { state: 'empty' };
  return re.test(sample.trim()) ? { state: 'match' } : { state: 'nomatch' };
}

/** The placeholders every order answer can fill; any other top-level field of the JSON answer works too. */
export const TEMPLATE_PLACEHOLDERS = ['number', 'status', 'eta'] as const;

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

/** placeholders lists the {{names}} a template uses, in order, once each ({{a.b}} reads a nested field). */
export function placeholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

function lookup(data: unknown, path: string): unknown {
  let v = data;
  for (const k of path.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** fillTemplate fills {{name}} and {{a.b}} from data, as the bot does; for a preview, unknown names stay as written. */
export function fillTemplate(template: string, data: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (m, name: string) => {
    const v = lookup(data, name);
    return v === undefined || v === null || typeof v === 'object' ? m : String(v);
  });
}

export const SAMPLE_ORDER = { number: '12345', status: 'shipped', eta: 'Friday' };

// ---- appointments -----------------------------------------------------

export function newService(): DraftService {
  return { key: localKey(), id: '', name: '', duration_minutes: 30 };
}

// ---- the try panel ----------------------------------------------------

/** percent shows a 0–1 score as a whole percentage. */
export function percent(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.round(Math.min(1, Math.max(0, score)) * 100);
}
