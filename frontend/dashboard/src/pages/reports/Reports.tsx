// The Reports page (issue 12): the period's figures against the previous
// period, three charts with their data, CSAT comments, the bot and agents.
// Its whole state is in the URL query, so a report is linkable.
import { useEffect, useId, useState } from 'react';
import { api as coreApi } from '../../api/endpoints';
import { reportsApi } from '../../api/reports';
import type { Report, ReportSummary } from '../../api/types';
import { isAdmin, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { EmptyState, ErrorState, PageHeader, Switch } from '../../components/ui';
import { t, type MessageKey } from '../../i18n';
import { useAsync } from '../../lib/hooks';
import { Link, navigate, useLocation } from '../../lib/router';
import { ChartCard, distributionTable, Distribution, Heatmap, heatmapTable, VolumeChart, volumeTable } from './charts';
import { compare, downloadCSV, formatDuration, lastDays, percent, PRESETS, queryString, readQuery, toCSV, type ReportQuery } from './logic';
import './reports.css';

export function Reports() {
  const { path, search } = useLocation();
  const q = readQuery(search);
  const admin = isAdmin(useSession());
  usePageTitle(t('reports.title'));
  const qs = queryString(q);
  const report = useAsync(() => reportsApi.report(qs), [qs]);
  const members = useAsync(() => (admin ? coreApi.members() : Promise.resolve([])), [admin]);
  const set = (patch: Partial<ReportQuery>) => navigate(`${path}?${queryString({ ...q, ...patch })}`, { replace: true });
  // The default period goes into the URL too, so what is shown is linkable.
  useEffect(() => {
    if (search.toString() !== qs) navigate(`${path}?${qs}`, { replace: true });
  }, [path, search, qs]);

  return (
    <div className="page reports-page">
      <PageHeader title={t('reports.title')} lead={t('reports.lead')} />
      <Controls q={q} set={set} admin={admin} members={members.data ?? []} timezone={report.data?.timezone} />
      {report.error ? (
        <ErrorState error={report.error} onRetry={report.reload} />
      ) : !report.data || report.loading ? (
        <Skeleton />
      ) : report.data.summary.conversations === 0 && report.data.summary.resolutions === 0 && report.data.csat.responses === 0 ? (
        <EmptyState title={t('reports.empty')} icon="📊">
          {t('reports.emptyHint')}
        </EmptyState>
      ) : (
        <Figures r={report.data} names={Object.fromEntries((members.data ?? []).map((m) => [m.id, m.name]))} />
      )}
    </div>
  );
}

function Controls({ q, set, admin, members, timezone }: { q: ReportQuery; set: (p: Partial<ReportQuery>) => void; admin: boolean; members: { id: string; name: string }[]; timezone?: string }) {
  const id = useId();
  const preset = PRESETS.find((n) => {
    const p = lastDays(n);
    return p.from === q.from && p.to === q.to;
  });
  return (
    <form className="card report-controls" onSubmit={(e) => e.preventDefault()} aria-label={t('reports.period')}>
      <div className="field">
        <label htmlFor={`${id}-preset`}>{t('reports.period')}</label>
        <select id={`${id}-preset`} value={preset ?? ''} onChange={(e) => e.target.value && set(lastDays(Number(e.target.value)))}>
          {PRESETS.map((n) => (
            <option key={n} value={n}>
              {t('reports.lastDays', { count: n })}
            </option>
          ))}
          <option value="">{t('reports.custom')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>{t('reports.from')}</label>
        <input id={`${id}-from`} type="date" value={q.from} max={q.to} onChange={(e) => e.target.value && set({ from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>{t('reports.to')}</label>
        <input id={`${id}-to`} type="date" value={q.to} min={q.from} onChange={(e) => e.target.value && set({ to: e.target.value })} />
      </div>
      {admin && (
        <div className="field">
          <label htmlFor={`${id}-agent`}>{t('reports.agent')}</label>
          <select id={`${id}-agent`} value={q.agent_id} onChange={(e) => set({ agent_id: e.target.value })}>
            <option value="">{t('reports.allAgents')}</option>
            {members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-label`}>{t('reports.label')}</label>
        <input id={`${id}-label`} type="search" placeholder={t('reports.anyLabel')} defaultValue={q.label} onBlur={(e) => e.target.value !== q.label && set({ label: e.target.value.trim() })} onKeyDown={(e) => e.key === 'Enter' && set({ label: e.currentTarget.value.trim() })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-gran`}>{t('reports.granularity')}</label>
        <select id={`${id}-gran`} value={q.granularity} onChange={(e) => set({ granularity: e.target.value === 'hour' ? 'hour' : 'day' })}>
          <option value="day">{t('reports.byDay')}</option>
          <option value="hour">{t('reports.byHour')}</option>
        </select>
      </div>
      <Switch label={t('reports.businessHours')} checked={q.business_hours} onChange={(v) => set({ business_hours: v })} />
      {timezone && <p className="report-zone">{t('reports.timezone', { zone: timezone })}</p>}
    </form>
  );
}

function Skeleton() {
  return (
    <div role="status" aria-label={t('app.loading')} className="kpis">
      {Array.from({ length: 7 }, (_, i) => (
        <div key={i} className="card kpi skeleton kpi-skeleton" />
      ))}
    </div>
  );
}

interface KPIDef {
  key: string;
  name: MessageKey;
  hint: MessageKey;
  value: (s: ReportSummary) => number | null;
  show: (v: number | null) => string;
  higherIsBetter: boolean;
  extra?: (s: ReportSummary) => string;
}

const count = (v: number | null) => String(v ?? 0);

const KPIS: KPIDef[] = [
  { key: 'new', name: 'reports.kpi.new', hint: 'reports.def.new', value: (s) => s.conversations, show: count, higherIsBetter: true },
  { key: 'resolutions', name: 'reports.kpi.resolutions', hint: 'reports.def.resolutions', value: (s) => s.resolutions, show: count, higherIsBetter: true },
  { key: 'first-response', name: 'reports.kpi.firstResponse', hint: 'reports.def.firstResponse', value: (s) => s.first_response.median_seconds, show: formatDuration, higherIsBetter: false, extra: (s) => t('reports.p90', { value: formatDuration(s.first_response.p90_seconds) }) },
  { key: 'resolution', name: 'reports.kpi.resolution', hint: 'reports.def.resolution', value: (s) => s.resolution.median_seconds, show: formatDuration, higherIsBetter: false, extra: (s) => t('reports.p90', { value: formatDuration(s.resolution.p90_seconds) }) },
  { key: 'csat', name: 'reports.kpi.csat', hint: 'reports.def.csat', value: (s) => s.csat_average, show: (v) => (v == null ? '—' : v.toFixed(1)), higherIsBetter: true, extra: (s) => t('reports.responses', { count: s.csat_responses }) },
  { key: 'containment', name: 'reports.kpi.containment', hint: 'reports.def.containment', value: (s) => s.containment, show: percent, higherIsBetter: true },
  { key: 'missed', name: 'reports.kpi.missed', hint: 'reports.def.missed', value: (s) => s.missed, show: count, higherIsBetter: false },
];

function KPI({ def, r }: { def: KPIDef; r: Report }) {
  const [open, setOpen] = useState(false);
  const hintId = useId();
  const v = def.value(r.summary);
  const prev = def.value(r.previous);
  const c = compare(v, prev, def.higherIsBetter);
  const prevText = def.show(prev);
  return (
    <section className="card kpi" data-kpi={def.key} aria-labelledby={`${hintId}-name`}>
      <div className="kpi-head">
        <h2 id={`${hintId}-name`}>{t(def.name)}</h2>
        <button type="button" className="kpi-info" aria-label={t('reports.hint', { name: t(def.name) })} aria-expanded={open} aria-controls={hintId} onClick={() => setOpen(!open)}>
          i
        </button>
      </div>
      <p id={hintId} className="kpi-hint" hidden={!open}>
        {t(def.hint)}
      </p>
      <p className="kpi-value">{def.show(v)}</p>
      {def.extra && <p className="kpi-extra">{def.extra(r.summary)}</p>}
      <p className={`kpi-compare ${c.good == null ? '' : c.good ? 'good' : 'bad'}`}>
        {c.direction === 'same' || c.direction === 'none' ? (
          t('reports.unchanged', { value: prevText })
        ) : (
          <>
            <span aria-hidden="true">{c.arrow} </span>
            {t('reports.previous', { value: prevText })} ({t(c.good ? 'reports.better' : 'reports.worse')})
          </>
        )}
      </p>
    </section>
  );
}

function Figures({ r, names }: { r: Report; names: Record<string, string> }) {
  const volume = r.volume ?? [];
  const comments = r.csat.comments ?? [];
  const unanswered = r.bot.unanswered ?? [];
  const agents = r.agents ?? [];
  const period = `${r.from}_${r.to}`;
  return (
    <>
      <div className="kpis">
        {KPIS.map((d) => (
          <KPI key={d.key} def={d} r={r} />
        ))}
      </div>
      <ChartCard id="volume" title={t('reports.volume')} table={volumeTable(volume, r.granularity)} file={`volume_${period}.csv`}>
        <VolumeChart points={volume} />
      </ChartCard>
      <ChartCard id="heatmap" title={t('reports.heatmap')} table={heatmapTable(r.heatmap)} file={`busiest-hours_${period}.csv`}>
        <Heatmap grid={r.heatmap} />
      </ChartCard>
      <ChartCard id="csat" title={t('reports.distribution')} table={distributionTable(r.csat.distribution)} file={`csat_${period}.csv`}>
        <Distribution dist={r.csat.distribution} />
      </ChartCard>

      <section className="card" aria-labelledby="comments-title">
        <div className="report-chart-head">
          <h2 id="comments-title">{t('reports.comments')}</h2>
          <button type="button" className="btn btn-secondary btn-small" disabled={!comments.length}
            onClick={() => downloadCSV(`csat-comments_${period}.csv`, toCSV(['rated_at', 'score', 'scale', 'comment', 'agent', 'conversation_id'], comments.map((c) => [c.rated_at, c.score, c.scale, c.comment, names[c.agent_id ?? ''] ?? c.agent_id ?? '', c.conversation_id])))}>
            {t('reports.downloadCSV')}
          </button>
        </div>
        <p>{t('reports.csatLine', { rate: percent(r.csat.response_rate), surveyed: r.csat.surveyed, satisfied: percent(r.csat.satisfied) })}</p>
        {comments.length === 0 ? (
          <p className="muted">{t('reports.noComments')}</p>
        ) : (
          <ul className="report-comments">
            {comments.map((c) => (
              <li key={`${c.conversation_id}-${c.rated_at}`}>
                <span className="rating-score">{scoreText(c.score, c.scale)}</span>
                <q>{c.comment}</q>
                {c.agent_id && <span className="muted"> — {names[c.agent_id] ?? c.agent_id}</span>}{' '}
                <Link href={`/inbox/${encodeURIComponent(c.conversation_id)}`}>{t('reports.openConversation')}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="bot-title">
        <h2 id="bot-title">{t('reports.bot')}</h2>
        <p>{t('reports.bot.line', { conversations: r.bot.conversations, containment: percent(r.bot.containment), handoff: percent(r.bot.handoff_rate) })}</p>
        <h3>{t('reports.unanswered')}</h3>
        {unanswered.length === 0 ? (
          <p className="muted">{t('reports.noUnanswered')}</p>
        ) : (
          <ol className="report-unanswered">
            {unanswered.map((u) => (
              <li key={u.question}>
                <span>{u.question}</span> <span className="muted">{t('reports.asked', { count: u.count })}</span>{' '}
                <Link className="btn btn-secondary btn-small" href={`/bots?faq_question=${encodeURIComponent(u.question)}#faq`}>
                  {t('reports.addToFAQ')}
                </Link>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="card" aria-labelledby="agents-title">
        <h2 id="agents-title">{t('reports.agents')}</h2>
        {agents.length === 0 ? (
          <p className="muted">{t('reports.noAgents')}</p>
        ) : (
          <table className="report-agents">
            <thead>
              <tr>
                {(['reports.col.agent', 'reports.col.handled', 'reports.col.firstResponse', 'reports.col.resolution', 'reports.col.csat'] as const).map((k) => (
                  <th key={k} scope="col">
                    {t(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.agent_id}>
                  <th scope="row">{a.name || names[a.agent_id] || a.agent_id}</th>
                  <td>{a.handled}</td>
                  <td>{`${formatDuration(a.first_response.median_seconds)} / ${formatDuration(a.first_response.p90_seconds)}`}</td>
                  <td>{`${formatDuration(a.resolution.median_seconds)} / ${formatDuration(a.resolution.p90_seconds)}`}</td>
                  <td>{a.csat_average == null ? '—' : `${a.csat_average.toFixed(1)} (${a.csat_responses})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** scoreText writes a rating for people: "Rated 4 of 5" or thumbs up/down. */
export function scoreText(score: number, scale: string): string {
  if (scale === 'thumbs') return score >= 4 ? `👍 ${t('reports.ratingUp')}` : `👎 ${t('reports.ratingDown')}`;
  return `${'★'.repeat(score)}${'☆'.repeat(5 - score)} ${t('reports.rating', { score })}`;
}
