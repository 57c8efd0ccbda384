// Pure billing logic for the dashboard: usage levels, the quota banner and
// which plan change a button makes. Tested in logic.test.ts.
import type { BillingOverview, Feature, Plan, Usage } from '../../api/billing';

/** WARN_AT is the share of a limit at which the dashboard warns. */
export const WARN_AT = 0.8;

export type Level = 'none' | 'ok' | 'warn' | 'full';

/** level says how close usage is to its limit ("none": there is no limit). */
export function level(u: Usage): Level {
  if (!u.limit) return 'none';
  if (u.used >= u.limit) return 'full';
  if (u.used >= u.limit * WARN_AT) return 'warn';
  return 'ok';
}

/** percent is the bar's fill, 0–100. */
export function percent(u: Usage): number {
  if (!u.limit) return 0;
  return Math.min(100, Math.round((u.used / u.limit) * 100));
}

/** quotaBanner is what the owner is told about the month's conversations, if anything. */
export function quotaBanner(o: BillingOverview | null | undefined): { kind: 'warning' | 'error'; used: number; limit: number } | null {
  if (!o || !o.enabled) return null;
  const l = level(o.conversations);
  if (l === 'full') return { kind: 'error', used: o.conversations.used, limit: o.conversations.limit };
  if (l === 'warn') return { kind: 'warning', used: o.conversations.used, limit: o.conversations.limit };
  return null;
}

export type Change = 'current' | 'upgrade' | 'downgrade' | 'free';

/** change is what choosing plan p means from the current plan. */
export function change(o: BillingOverview, p: Plan): Change {
  if (p.id === o.plan.id) return 'current';
  if (!p.paid) return 'free';
  const rank = (id: string) => o.plans.findIndex((x) => x.id === id);
  return rank(p.id) > rank(o.plan.id) ? 'upgrade' : 'downgrade';
}

/** hasFeature says whether the tenant's plan includes a feature (true while unknown or billing is off). */
export function hasFeature(o: BillingOverview | null | undefined, f: Feature): boolean {
  if (!o || !o.enabled) return true;
  return o.plan.features.includes(f);
}
