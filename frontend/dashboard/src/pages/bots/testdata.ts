import type { BotConfig } from '../../api/bot';

/** sampleConfig is a configured bot for tests. */
export function sampleConfig(over: Partial<BotConfig> = {}): BotConfig {
  return {
    enabled: true,
    name: 'Robin',
    skills: ['faq', 'order_status'],
    faq: {
      threshold: 0.6,
      entries: [{ id: 'f1', question: 'How long is shipping?', alternatives: ['delivery time'], answer: '3–5 days.' }],
    },
    order_status: { url: 'https://shop.example/orders', secret_set: true, number_pattern: '^\\d{5}$', reply_template: 'Order {{number}} is {{status}}.' },
    appointments: { timezone: 'Europe/Paris', weekly: { mon: [{ open: '09:00', close: '12:00' }] }, buffer_minutes: 10, horizon_days: 30, services: [{ id: 's1', name: 'Fitting', duration_minutes: 45 }] },
    after_hours: { message: 'We are away.' },
    external: { url: '', secret_set: false },
    ...over,
  };
}
