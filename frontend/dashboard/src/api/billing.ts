// The billing API (issue 7): plan, usage, the ledger, Checkout and the portal.
import { http } from './http';
import type { StorageUsage } from './types';

export type Feature = 'bot_faq' | 'bot_order_status' | 'bot_appointments' | 'bot_after_hours' | 'bot_external' | 'api_keys';

export interface Plan {
  id: string;
  name: string;
  seats: number; // 0: no limit
  conversations_per_month: number; // 0: no limit
  max_file_bytes?: number; // one attachment; 0: the default (10 MB)
  storage_bytes?: number; // all attachments; 0: no limit
  features: Feature[];
  trial_days: number;
  paid: boolean;
}

export interface Usage {
  used: number;
  limit: number; // 0: no limit
}

export type BillingStatus = 'active' | 'trialing' | 'past_due' | 'canceled' | 'unlimited';

export interface BillingOverview {
  enabled: boolean;
  plan: Plan;
  status: BillingStatus;
  trial_end?: string;
  period_start: string;
  period_end: string;
  past_due_since?: string;
  grace_ends_at?: string;
  cancel_at_period_end: boolean;
  seats: Usage;
  conversations: Usage;
  /** The workspace's files (absent on servers without attachments). */
  storage?: StorageUsage;
  plans: Plan[];
  upgrade_plan?: string;
}

export interface UsageEntry {
  id: string;
  conversation_id: string;
  counted_at: string;
  reason: string;
  period_start: string;
}

export interface UsagePage {
  entries: UsageEntry[];
  next_cursor?: string;
}

export const billingApi = {
  overview: () => http.get<BillingOverview>('/api/v1/billing'),
  usage: (cursor?: string) => http.get<UsagePage>(`/api/v1/billing/usage?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  checkout: (plan: string) => http.post<{ url: string }>('/api/v1/billing/checkout', { plan }),
  portal: () => http.post<{ url: string }>('/api/v1/billing/portal'),
};
