import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/endpoints';
import { dataApi, type AuditEntry, type AuditFilter } from '../../api/data';
import type { User } from '../../api/types';
import { Button, EmptyState, ErrorState, InputField, PageHeader, SelectField, SkeletonList } from '../../components/ui';
import { t, type MessageKey } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { ACTION_KINDS, actionLabel, actorLabel, auditDiff, dayEnd, dayStart, targetLabel } from './logic';
import './data.css';

interface Filters {
  actor: string;
  kind: string;
  since: string;
  until: string;
}

const noFilters: Filters = { actor: '', kind: '', since: '', until: '' };

function toQuery(f: Filters): AuditFilter {
  return { actor_id: f.actor || undefined, action: f.kind || undefined, since: f.since ? dayStart(f.since) : undefined, until: f.until ? dayEnd(f.until) : undefined };
}

/** AuditLogSection is Settings → Audit log: newest first, filtered, a page at a time. */
export function AuditLogSection({ title }: { title: string }) {
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [members, setMembers] = useState<User[]>([]);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const run = useRef(0);

  const load = async (f: Filters, after?: string) => {
    const id = ++run.current;
    setState('loading');
    try {
      const page = await dataApi.auditLog(toQuery(f), after);
      if (id !== run.current) return;
      setEntries((prev) => (after ? [...prev, ...page.entries] : page.entries));
      setCursor(page.next_cursor || undefined);
      setState('ready');
    } catch (e) {
      if (id !== run.current) return;
      setError(e);
      setState('error');
    }
  };

  useEffect(() => {
    void load(filters);
  }, [filters]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    api.members().then(setMembers, () => setMembers([]));
  }, []);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(noFilters);

  return (
    <>
      <PageHeader title={title} lead={t('audit.lead')} />
      <form className="card audit-filters" aria-label={t('audit.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField label={t('audit.member')} value={filters.actor} onChange={(e) => set({ actor: e.target.value })}>
          <option value="">{t('audit.anyone')}</option>
          {members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('audit.kind')} value={filters.kind} onChange={(e) => set({ kind: e.target.value })}>
          <option value="">{t('audit.anyKind')}</option>
          {ACTION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`audit.kind.${k}` as MessageKey)}
            </option>
          ))}
        </SelectField>
        <InputField label={t('audit.since')} type="date" value={filters.since} max={filters.until || undefined} onChange={(e) => set({ since: e.target.value })} />
        <InputField label={t('audit.until')} type="date" value={filters.until} min={filters.since || undefined} onChange={(e) => set({ until: e.target.value })} />
        {filtered && (
          <Button variant="ghost" onClick={() => setFilters(noFilters)}>
            {t('audit.clear')}
          </Button>
        )}
      </form>
      <section className="card">
        {state === 'error' && entries.length === 0 ? (
          <ErrorState error={error} onRetry={() => void load(filters)} />
        ) : state === 'loading' && entries.length === 0 ? (
          <SkeletonList rows={4} />
        ) : entries.length === 0 ? (
          <EmptyState icon="📜" title={t('audit.empty')}>
            <p>{t('audit.emptyBody')}</p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table audit-table" aria-label={t('audit.table')} data-testid="audit-log">
              <thead>
                <tr>
                  <th scope="col">{t('audit.col.when')}</th>
                  <th scope="col">{t('audit.col.who')}</th>
                  <th scope="col">{t('audit.col.action')}</th>
                  <th scope="col">{t('audit.col.target')}</th>
                  <th scope="col">{t('audit.col.change')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <AuditRow key={e.id} e={e} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {state === 'error' && entries.length > 0 && <ErrorState error={error} onRetry={() => void load(filters, cursor)} />}
        {cursor && state !== 'error' && (
          <div className="load-more">
            <Button busy={state === 'loading'} onClick={() => void load(filters, cursor)}>
              {t('audit.more')}
            </Button>
          </div>
        )}
      </section>
    </>
  );
}

function AuditRow({ e }: { e: AuditEntry }) {
  const diff = auditDiff(e.before, e.after);
  return (
    <tr data-action={e.action}>
      <td>
        <time dateTime={e.occurred_at} title={e.occurred_at}>
          {formatDateTime(e.occurred_at)}
        </time>
      </td>
      <td>
        <span className="audit-actor">{actorLabel(e.actor)}</span>
        {e.actor.ip && <span className="field-hint audit-ip">{e.actor.ip}</span>}
      </td>
      <td>{actionLabel(e.action)}</td>
      <td className="audit-target">{targetLabel(e)}</td>
      <td>
        {diff.length > 0 && (
          <ul className="audit-diff" aria-label={t('audit.diff')}>
            {diff.map((d) => (
              <li key={d.field}>
                {d.field && <span className="audit-field">{d.field}: </span>}
                {d.before !== undefined && <del>{d.before}</del>}
                {d.before !== undefined && d.after !== undefined && <span aria-hidden="true"> → </span>}
                {d.after !== undefined && <ins>{d.after}</ins>}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
