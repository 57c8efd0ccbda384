import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportsApi } from '../../api/reports';
import type { Report } from '../../api/types';
import { Reports } from './Reports';

const summary = (over: Partial<Report['summary']> = {}): Report['summary'] => ({
  conversations: 0, resolutions: 0, missed: 0, csat_average: null, csat_responses: 0, containment: null,
  first_response: { count: 0, median_seconds: null, p90_seconds: null }, resolution: { count: 0, median_seconds: null, p90_seconds: null }, ...over,
});

const heatmap = Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => (d === 1 && h === 9 ? 2 : 0)));

export const fixture: Report = {
  from: '2026-11-01', to: '2026-11-30', previous_from: '2026-10-02', previous_to: '2026-10-31', timezone: 'Europe/Paris', granularity: 'day', business_hours: false,
  summary: summary({ conversations: 2, resolutions: 1, csat_average: 4, csat_responses: 1, first_response: { count: 1, median_seconds: 90, p90_seconds: 90 }, resolution: { count: 1, median_seconds: 600, p90_seconds: 600 } }),
  previous: summary({ conversations: 3, first_response: { count: 1, median_seconds: 120, p90_seconds: 120 } }),
  volume: [{ start: '2026-11-03T00:00:00+01:00', new: 2, resolved: 1 }],
  heatmap,
  csat: { responses: 1, surveyed: 1, response_rate: 1, average: 4, satisfied: 1, distribution: [0, 0, 0, 1, 0], comments: [{ conversation_id: 'c1', score: 4, scale: 'five', comment: 'Quick and kind', agent_id: 'u1', rated_at: '2026-11-03T10:00:00Z' }] },
  bot: { conversations: 0, contained: 0, containment: null, handed_off: 0, handoff_rate: null, unanswered: [{ question: 'Do you ship to Norway?', count: 3, last_asked_at: '2026-11-04T10:00:00Z' }] },
  agents: [{ agent_id: 'u1', name: 'Ada', handled: 1, first_response: { count: 1, median_seconds: 90, p90_seconds: 90 }, resolution: { count: 1, median_seconds: 600, p90_seconds: 600 }, csat_average: 4, csat_responses: 1 }],
  generated_at: '2026-12-02T10:00:00Z',
};

describe('Reports', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the KPIs against the previous period, the charts’ tables, the comments, the bot’s questions and the agents', async () => {
    history.replaceState(null, '', '/reports?from=2026-11-01&to=2026-11-30&label=vip');
    const get = vi.spyOn(reportsApi, 'report').mockResolvedValue(fixture);
    render(<Reports />);
    const csat = (await screen.findByRole('heading', { name: 'CSAT' })).closest('section')!;
    expect(get).toHaveBeenCalledWith('from=2026-11-01&to=2026-11-30&label=vip');
    expect(within(csat).getByText('4.0')).toBeTruthy();
    expect(within(csat).getByText('1 responses')).toBeTruthy();

    const first = screen.getByRole('heading', { name: 'First response time' }).closest('section')!;
    expect(within(first).getByText('1 min 30 s')).toBeTruthy();
    expect(within(first).getByText(/previous period: 2 min \(better\)/)).toBeTruthy();
    const created = screen.getByRole('heading', { name: 'New conversations' }).closest('section')!;
    expect(within(created).getByText(/previous period: 3 \(worse\)/)).toBeTruthy();

    const info = within(first).getByRole('button', { name: 'What First response time means' });
    expect(within(first).getByText(/reaches the team to the first public message/).hidden).toBe(true);
    await userEvent.click(info);
    expect(info.getAttribute('aria-expanded')).toBe('true');
    expect(within(first).getByText(/reaches the team to the first public message/).hidden).toBe(false);

    expect(screen.getByText('Times in Europe/Paris')).toBeTruthy();
    const volume = screen.getByRole('table', { name: 'Conversations over time' });
    expect(within(volume).getAllByRole('row').map((r) => r.textContent)).toEqual(['StartNewResolved', '2026-11-0321']);
    const dist = screen.getByRole('table', { name: 'CSAT distribution' });
    expect(within(dist).getAllByRole('row')[4].textContent).toBe('41');
    const heat = screen.getByRole('table', { name: 'Busiest hours' });
    expect(within(heat).getAllByRole('row')[2].querySelectorAll('td')[9].textContent).toBe('2');

    expect(screen.getByText('Quick and kind')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open the conversation' }).getAttribute('href')).toBe('/inbox/c1');
    expect(screen.getByRole('link', { name: 'Add to FAQ' }).getAttribute('href')).toBe('/bots?faq_question=Do%20you%20ship%20to%20Norway%3F#faq');
    expect(screen.getByRole('rowheader', { name: 'Ada' }).closest('tr')!.textContent).toBe('Ada11 min 30 s / 1 min 30 s10 min / 10 min4.0 (1)');
  });

  it('says when the period is empty, and offers a retry on error', async () => {
    history.replaceState(null, '', '/reports?from=2026-11-01&to=2026-11-30');
    vi.spyOn(reportsApi, 'report').mockResolvedValueOnce({ ...fixture, summary: summary(), csat: { ...fixture.csat, responses: 0 } });
    const { unmount } = render(<Reports />);
    expect(await screen.findByText('No conversations in this period')).toBeTruthy();
    unmount();
    vi.restoreAllMocks();

    const get = vi.spyOn(reportsApi, 'report').mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce(fixture);
    render(<Reports />);
    await userEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Quick and kind')).toBeTruthy();
    expect(get).toHaveBeenCalledTimes(2);
  });
});
