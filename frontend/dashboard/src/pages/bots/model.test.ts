import { badRanges } from '../../components/WeeklyEditor';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/http';
import {
  addEntry,
  alternativesFromText,
  cleanAlternatives,
  enabledSkills,
  fieldPaths,
  fillTemplate,
  incompleteEntries,
  isDirty,
  moveSkill,
  percent,
  placeholders,
  planSkill,
  removeEntry,
  resolveField,
  skillRows,
  testPattern,
  toConfig,
  toDraft,
  toggleSkill,
  updateEntry,
} from './model';
import { sampleConfig } from './testdata';

describe('skills', () => {
  it('lists every skill: the saved order first, then the others, off', () => {
    const rows = skillRows(['order_status', 'faq', 'bogus', 'faq']);
    expect(rows.map((r) => r.id)).toEqual(['order_status', 'faq', 'appointments', 'after_hours', 'external']);
    expect(rows.map((r) => r.enabled)).toEqual([true, true, false, false, false]);
    expect(skillRows(null).every((r) => !r.enabled)).toBe(true);
  });

  it('moves up and down, and not past the ends', () => {
    const rows = skillRows(['faq', 'order_status', 'appointments']);
    expect(moveSkill(rows, 1, -1).map((r) => r.id).slice(0, 3)).toEqual(['order_status', 'faq', 'appointments']);
    expect(moveSkill(rows, 0, 1).map((r) => r.id).slice(0, 2)).toEqual(['order_status', 'faq']);
    expect(moveSkill(rows, 0, -1)).toEqual(rows);
    expect(moveSkill(rows, rows.length - 1, 1)).toEqual(rows);
    expect(rows.map((r) => r.id)[0]).toBe('faq'); // the input is untouched
  });

  it('sends only the enabled skills, in order', () => {
    let rows = skillRows(['faq', 'order_status']);
    rows = toggleSkill(rows, 'appointments', true);
    rows = moveSkill(rows, 2, -1);
    rows = moveSkill(rows, 1, -1);
    expect(enabledSkills(rows)).toEqual(['appointments', 'faq', 'order_status']);
    expect(enabledSkills(toggleSkill(rows, 'faq', false))).toEqual(['appointments', 'order_status']);
  });
});

describe('the draft', () => {
  it('round-trips a config, keeping secrets write-only', () => {
    const c = sampleConfig();
    const d = toDraft(c);
    expect(d.order_status.secret).toBe('');
    const out = toConfig(d);
    expect(out.skills).toEqual(['faq', 'order_status']);
    expect(out.order_status.secret).toBe(''); // empty keeps the stored secret
    expect(out.faq.entries).toEqual(c.faq.entries);
    expect(out.appointments.services).toEqual(c.appointments.services);
    expect(out.appointments.weekly?.mon).toEqual([{ open: '09:00', close: '12:00' }]);
    expect(out.appointments.weekly?.tue).toEqual([]);
    expect(isDirty(d, toDraft(c))).toBe(false);
  });

  it('fills defaults for a fresh bot', () => {
    const d = toDraft({ ...sampleConfig(), faq: { threshold: 0, entries: null }, appointments: { timezone: '', weekly: null, buffer_minutes: 0, horizon_days: 0, services: null } });
    expect(d.faq.threshold).toBe(0.5);
    expect(d.faq.entries).toEqual([]);
    expect(d.appointments.timezone).not.toBe('');
    expect(d.appointments.weekly.mon).toHaveLength(1);
    expect(d.appointments.weekly.sun).toEqual([]);
    expect(d.appointments.horizon_days).toBe(14);
  });

  it('ignores whitespace and empty lines when telling whether something changed', () => {
    const d = toDraft(sampleConfig());
    const e = d.faq.entries[0];
    const edited = { ...d, faq: { ...d.faq, entries: updateEntry(d.faq.entries, e.key, { alternatives: ['delivery time', '', '  '], question: e.question + ' ' }) } };
    expect(isDirty(d, edited)).toBe(false);
    expect(isDirty(d, { ...d, name: 'Robyn' })).toBe(true);
    expect(isDirty(d, { ...d, order_status: { ...d.order_status, secret: 's3cret' } })).toBe(true);
  });
});

describe('the FAQ editor', () => {
  it('adds, edits and removes entries by key', () => {
    let entries = toDraft(sampleConfig()).faq.entries;
    entries = addEntry(entries);
    expect(entries).toHaveLength(2);
    const k = entries[1].key;
    expect(entries[1]).toMatchObject({ id: '', question: '', answer: '' });
    expect(new Set(entries.map((e) => e.key)).size).toBe(2);
    entries = updateEntry(entries, k, { question: 'Do you ship abroad?', answer: 'Yes, to the EU.' });
    expect(entries[1].question).toBe('Do you ship abroad?');
    expect(entries[0].question).toBe('How long is shipping?');
    expect(removeEntry(entries, entries[0].key).map((e) => e.key)).toEqual([k]);
  });

  it('keeps alternatives as typed while editing and cleans them on save', () => {
    const lines = alternativesFromText('delivery time\n\n  how long to ship \nDelivery Time\n');
    expect(lines).toEqual(['delivery time', '', '  how long to ship ', 'Delivery Time', '']);
    expect(lines.join('\n')).toBe('delivery time\n\n  how long to ship \nDelivery Time\n'); // the textarea keeps its text
    expect(cleanAlternatives(lines)).toEqual(['delivery time', 'how long to ship']);
    expect(alternativesFromText('')).toEqual([]);
  });

  it('finds entries without a question or an answer', () => {
    const entries = addEntry(toDraft(sampleConfig()).faq.entries);
    expect(incompleteEntries(entries)).toEqual([1]);
  });
});

describe('field errors', () => {
  const paths = fieldPaths(toDraft(sampleConfig()));
  it('puts an API field error on the most specific field the form has', () => {
    expect(resolveField('faq.entries', paths)).toBe('faq.entries');
    expect(resolveField('faq.entries[0].answer', paths)).toBe('faq.entries.0.answer');
    expect(resolveField('faq.entries[7].answer', paths)).toBe('faq.entries'); // no such row: the list
    expect(resolveField('order_status.url', paths)).toBe('order_status.url');
    expect(resolveField('appointments.weekly.mon[0].open', paths)).toBe('appointments.weekly');
    expect(resolveField('appointments.services[0].duration_minutes', paths)).toBe('appointments.services.0.duration_minutes');
    expect(resolveField('nonsense', paths)).toBeUndefined();
    expect(resolveField(undefined, paths)).toBeUndefined();
  });

  it('names the skill a 402 is about', () => {
    const e402 = (p: object) => new ApiError(402, { status: 402, code: 'payment_required', ...p });
    expect(planSkill(e402({ field: 'skills[1]' }), ['faq', 'order_status'])).toBe('order_status');
    expect(planSkill(e402({ field: 'skills.appointments' }), [])).toBe('appointments');
    expect(planSkill(e402({ detail: 'your plan does not include bot_order_status' }), [])).toBe('order_status');
    expect(planSkill(e402({ detail: 'the external skill needs the Business plan' }), [])).toBe('external');
    expect(planSkill(e402({ detail: 'your plan does not include the after_hours skill; the Pro plan does' }), [])).toBe('after_hours');
    expect(planSkill(e402({ detail: 'upgrade' }), [])).toBeUndefined();
    expect(planSkill(new ApiError(400, { field: 'skills[0]' }), ['faq'])).toBeUndefined();
  });
});

describe('the order number pattern tester', () => {
  it('tests a sample against the pattern', () => {
    expect(testPattern('^#?\\d{5,8}$', '12345')).toEqual({ state: 'match' });
    expect(testPattern('^#?\\d{5,8}$', '#1234567')).toEqual({ state: 'match' });
    expect(testPattern('^#?\\d{5,8}$', '1234')).toEqual({ state: 'nomatch' });
    expect(testPattern('^#?\\d{5,8}$', ' 12345 ')).toEqual({ state: 'match' }); // what visitors paste
    expect(testPattern('^(?P<n>\\d+)$', '42')).toEqual({ state: 'match' }); // Go's named group
    expect(testPattern('', '123')).toEqual({ state: 'empty' });
    expect(testPattern('^\\d+$', '')).toEqual({ state: 'empty' });
  });

  it('reports invalid patterns and what Go cannot run', () => {
    expect(testPattern('^(\\d+$', '1').state).toBe('invalid');
    expect(testPattern('^(?=\\d)\\d+$', '1')).toEqual({ state: 'unsupported' });
    expect(testPattern('(?<!x)\\d', '1')).toEqual({ state: 'unsupported' });
    expect(testPattern('(a)\\1', 'aa')).toEqual({ state: 'unsupported' });
  });
});

describe('the reply template', () => {
  it('lists and fills placeholders', () => {
    const tpl = 'Order {{number}} is {{ status }}, due {{eta}} via {{carrier}}. {{number}}';
    expect(placeholders(tpl)).toEqual(['number', 'status', 'eta', 'carrier']);
    expect(fillTemplate(tpl, { number: '12345', status: 'shipped', eta: 'Friday' })).toBe('Order 12345 is shipped, due Friday via {{carrier}}. 12345');
    expect(fillTemplate('{{n}}', { n: 0 })).toBe('0');
    expect(fillTemplate('{{o}}', { o: { a: 1 } })).toBe('{{o}}');
    expect(fillTemplate('Via {{shipping.carrier}}', { shipping: { carrier: 'DHL' } })).toBe('Via DHL');
  });
});

describe('appointments and scores', () => {
  it('flags ranges that close before they open', () => {
    const d = toDraft(sampleConfig());
    expect(badRanges(d.appointments.weekly).size).toBe(0);
    d.appointments.weekly.tue = [{ open: '10:00', close: '09:00' }, { open: '10:00', close: '24:00' }];
    expect([...badRanges(d.appointments.weekly)]).toEqual(['tue.0']);
  });
  it('shows scores as whole percentages', () => {
    expect(percent(0.724)).toBe(72);
    expect(percent(1.3)).toBe(100);
    expect(percent(-1)).toBe(0);
    expect(percent(NaN)).toBe(0);
  });
});
