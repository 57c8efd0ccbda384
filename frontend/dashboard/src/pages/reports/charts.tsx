// The Reports page's charts, in SVG of our own: they are three simple shapes
// (bars, a grid, a histogram), and a chart library would cost more of the
// bundle than the whole page. Each chart is aria-hidden; its figures are in a
// data table under a disclosure, and a button downloads them as CSV.
import type { ReactNode } from 'react';
import type { Granularity, VolumePoint } from '../../api/types';
import { t } from '../../i18n';
import { downloadCSV, toCSV } from './logic';

export interface Table {
  header: string[];
  rows: (string | number)[][];
}

/** ChartCard frames a chart with its title, data table and CSV download. */
export function ChartCard({ id, title, table, file, children }: { id: string; title: string; table: Table; file: string; children: ReactNode }) {
  return (
    <section className="card report-chart" aria-labelledby={`${id}-title`}>
      <div className="report-chart-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => downloadCSV(file, toCSV(table.header, table.rows))}>
          {t('reports.downloadCSV')}
        </button>
      </div>
      <div aria-hidden="true">{children}</div>
      <details className="report-table">
        <summary>{t('reports.showTable')}</summary>
        <table>
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              {table.header.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j}>{c}</td>))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

/** bucketLabel writes a volume bucket's start as its local day or hour (the server gives it in the tenant's zone). */
export function bucketLabel(start: string, g: Granularity): string {
  // "2026-12-01T09:00:00+01:00": the wall-clock part is the tenant's.
  return g === 'hour' ? start.slice(0, 16).replace('T', ' ') : start.slice(0, 10);
}

export function volumeTable(points: VolumePoint[], g: Granularity): Table {
  return { header: [t('reports.col.start'), t('reports.col.new'), t('reports.col.resolved')], rows: points.map((p) => [bucketLabel(p.start, g), p.new, p.resolved]) };
}

/** VolumeChart draws new (solid) and resolved (light) bars side by side per bucket. */
export function VolumeChart({ points }: { points: VolumePoint[] }) {
  const max = Math.max(1, ...points.flatMap((p) => [p.new, p.resolved]));
  const w = 600;
  const h = 160;
  const step = w / Math.max(1, points.length);
  const bar = Math.max(1, step / 2 - 1);
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h + 4}`} preserveAspectRatio="none" role="presentation">
      {points.map((p, i) => (
        <g key={p.start}>
          <rect className="bar-new" x={i * step} y={h - (p.new / max) * h} width={bar} height={(p.new / max) * h} />
          <rect className="bar-resolved" x={i * step + bar} y={h - (p.resolved / max) * h} width={bar} height={(p.resolved / max) * h} />
        </g>
      ))}
      <line className="axis" x1="0" y1={h} x2={w} y2={h} />
      <text className="legend" x="4" y="12">
        {`■ ${t('reports.col.new')}  □ ${t('reports.col.resolved')} · max ${max}`}
      </text>
    </svg>
  );
}

const weekdays = () => t('reports.weekdays').split(',');

export function heatmapTable(grid: number[][]): Table {
  return { header: [t('reports.col.weekday'), ...Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`)], rows: grid.map((row, d) => [weekdays()[d], ...row]) };
}

/** Heatmap shades a weekday × hour grid by its count. */
export function Heatmap({ grid }: { grid: number[][] }) {
  const max = Math.max(1, ...grid.flat());
  const cell = 22;
  return (
    <svg className="chart heatmap" viewBox={`0 0 ${40 + 24 * cell} ${16 + 7 * cell}`} role="presentation">
      {Array.from({ length: 24 }, (_, h) =>
        h % 3 === 0 ? (
          <text key={h} className="legend" x={40 + h * cell} y="12">
            {h}
          </text>
        ) : null,
      )}
      {grid.map((row, d) => (
        <g key={d}>
          <text className="legend" x="0" y={16 + d * cell + 15}>
            {weekdays()[d]}
          </text>
          {row.map((n, h) => (
            <rect key={h} className="heat" x={40 + h * cell} y={16 + d * cell} width={cell - 2} height={cell - 2} style={{ opacity: n ? 0.15 + 0.85 * (n / max) : 0.05 }} />
          ))}
        </g>
      ))}
    </svg>
  );
}

export function distributionTable(dist: number[]): Table {
  return { header: [t('reports.col.score'), t('reports.col.count')], rows: dist.map((n, i) => [i + 1, n]) };
}

/** Distribution draws one horizontal bar per score, 1 to 5. */
export function Distribution({ dist }: { dist: number[] }) {
  const max = Math.max(1, ...dist);
  return (
    <svg className="chart" viewBox="0 0 320 120" role="presentation">
      {dist.map((n, i) => (
        <g key={i}>
          <text className="legend" x="0" y={i * 24 + 15}>
            {i + 1}
          </text>
          <rect className="bar-new" x="20" y={i * 24 + 3} width={(n / max) * 260} height="16" />
          <text className="legend" x={26 + (n / max) * 260} y={i * 24 + 15}>
            {n}
          </text>
        </g>
      ))}
    </svg>
  );
}
