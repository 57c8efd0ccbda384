import { describe, expect, it } from 'vitest';
import type { BillingOverview, Plan } from '../../api/billing';
import { change, hasFeature, level, percent, quotaBanner } from './logic';

const plans: Plan[] = [
  { id: 'free', name: 'Free', seats: 2, conversations_per_month: 100, features: ['bot_faq'], trial_days: 0, paid: false },
  { id: 'starter', name: 'Starter', seats: 5, conversations_per_month: 1000, features: ['bot_faq', 'bot_order_status'], trial_days: 14, paid: true },
  { id: 'pro', name: 'Pro', seats: 25, conversations_per_month: 10000, features: ['bot_faq', 'api_keys'], trial_days: 14, paid: true },
];

const overview = (used: number, limit = 100, plan = plans[0]): BillingOverview => ({
  enabled: true, plan, status: 'active', period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z',
  cancel_at_period_end: false, seats: { used: 1, limit: 2 }, conversations: { used, limit }, plans,
});

describe('billing logic', () => {
  it('levels usage: warning at 80%, full at 100%, none without a limit', () => {
    expect(level({ used: 79, limit: 100 })).toBe('ok');
    expect(level({ used: 80, limit: 100 })).toBe('warn');
    expect(level({ used: 100, limit: 100 })).toBe('full');
    expect(level({ used: 130, limit: 100 })).toBe('full');
    expect(level({ used: 5000, limit: 0 })).toBe('none');
    expect(percent({ used: 130, limit: 100 })).toBe(100);
    expect(percent({ used: 1, limit: 3 })).toBe(33);
  });

  it('tells the owner at 80% and at 100% of the quota, never when billing is off', () => {
    expect(quotaBanner(overview(50))).toBeNull();
    expect(quotaBanner(overview(80))).toEqual({ kind: 'warning', used: 80, limit: 100 });
    expect(quotaBanner(overview(100))).toEqual({ kind: 'error', used: 100, limit: 100 });
    expect(quotaBanner({ ...overview(100), enabled: false })).toBeNull();
    expect(quotaBanner(null)).toBeNull();
  });

  it('names plan changes and features', () => {
    const o = overview(0, 1000, plans[1]);
    expect(change(o, plans[0])).toBe('free');
    expect(change(o, plans[1])).toBe('current');
    expect(change(o, plans[2])).toBe('upgrade');
    expect(change(overview(0, 10000, plans[2]), plans[1])).toBe('downgrade');
    expect(hasFeature(o, 'bot_order_status')).toBe(true);
    expect(hasFeature(o, 'api_keys')).toBe(false);
    expect(hasFeature({ ...o, enabled: false }, 'api_keys')).toBe(true);
  });
});
