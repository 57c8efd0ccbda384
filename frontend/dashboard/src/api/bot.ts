// The bot API of issue 6 (docs/api-for-frontends.md, "Bots"): JSON shapes
// from pkg/contracts/bot.go and their endpoints. Kept apart from endpoints.ts
// so the bot feature lives in its own files.
import { http } from './http';
import type { Conversation, Handoff, TimeRange, Weekday } from './types';

export const SKILLS = ['faq', 'order_status', 'appointments', 'after_hours', 'external'] as const;
export type Skill = (typeof SKILLS)[number];

/** The plan feature that unlocks each skill (pkg/contracts SkillFeatures). */
export const SKILL_FEATURES: Record<Skill, string> = {
  faq: 'bot_faq',
  order_status: 'bot_order_status',
  appointments: 'bot_appointments',
  after_hours: 'bot_after_hours',
  external: 'bot_external',
};

export interface FAQEntry {
  id: string;
  question: string;
  alternatives: string[] | null;
  answer: string;
}

export interface FAQConfig {
  threshold: number;
  entries: FAQEntry[] | null;
}

export interface OrderStatusConfig {
  url: string;
  /** Write-only: sent to set or replace the secret, "" keeps the stored one. */
  secret?: string;
  secret_set: boolean;
  number_pattern: string;
  reply_template: string;
}

export interface AppointmentService {
  id: string;
  name: string;
  duration_minutes: number;
}

export interface AppointmentsConfig {
  timezone: string;
  weekly: Partial<Record<Weekday, TimeRange[]>> | null;
  buffer_minutes: number;
  horizon_days: number;
  services: AppointmentService[] | null;
}

export interface ExternalBotConfig {
  url: string;
  secret?: string;
  secret_set: boolean;
}

export interface BotConfig {
  enabled: boolean;
  name: string;
  skills: string[] | null;
  faq: FAQConfig;
  order_status: OrderStatusConfig;
  appointments: AppointmentsConfig;
  after_hours: { message: string };
  external: ExternalBotConfig;
}

export interface FAQMatch {
  entry_id: string;
  question: string;
  score: number;
}

export interface FAQTryResult {
  answered: boolean;
  matches: FAQMatch[] | null;
}

export interface Booking {
  id: string;
  service_id: string;
  service_name: string;
  start_at: string;
  end_at: string;
  status: 'booked' | 'canceled';
  visitor_id: string;
  name: string;
  email: string;
  conversation_id: string;
  created_at: string;
}

export interface APIKey {
  id: string;
  name: string;
  /** Only in the answer to a create: shown once. */
  key?: string;
  prefix: string;
  created_at: string;
  last_used_at?: string;
}

const enc = encodeURIComponent;

export const botApi = {
  get: () => http.get<BotConfig>('/api/v1/bot'),
  save: (c: BotConfig) => http.request<BotConfig>('PUT', '/api/v1/bot', { body: c }),
  tryFAQ: (question: string) => http.post<FAQTryResult>('/api/v1/bot/faq/try', { question }),

  bookings: (from: string) =>
    http.get<{ bookings: Booking[] | null }>(`/api/v1/bookings?from=${enc(from)}`).then((r) => r.bookings ?? []),
  cancelBooking: (id: string) => http.post<Booking>(`/api/v1/bookings/${enc(id)}/cancel`, {}),

  apiKeys: () => http.get<{ api_keys: APIKey[] | null }>('/api/v1/api-keys').then((r) => r.api_keys ?? []),
  createAPIKey: (name: string) => http.post<APIKey>('/api/v1/api-keys', { name }),
  deleteAPIKey: (id: string) => http.delete(`/api/v1/api-keys/${enc(id)}`),

  handoff: (conversationId: string, to: Handoff) => http.post<Conversation>(`/api/v1/conversations/${enc(conversationId)}/handoff`, { to }),
};
