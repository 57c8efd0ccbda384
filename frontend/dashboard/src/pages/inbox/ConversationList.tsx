import { useEffect, useRef, useState } from 'react';
import { RatingTag } from './RatingBadge';
import type { Conversation } from '../../api/types';
import { Icon } from '../../components/Icon';
import { Button, EmptyState, ErrorState, SkeletonList, Avatar } from '../../components/ui';
import { t, tn } from '../../i18n';
import { useInbox } from '../../inbox/store';
import { labelChoices, type AssigneeFilter, type StatusFilter } from '../../inbox/state';
import { isAdmin, useSession } from '../../app/session';
import { relativeTime } from '../../lib/format';
import { useNow } from '../../lib/hooks';
import { errorMessage } from '../../lib/fieldErrors';
import { Link } from '../../lib/router';
import { HandoffTag } from './Handoff';
import { authorName, visitorName } from './names';

const ASSIGNEES: AssigneeFilter[] = ['mine', 'unassigned', 'queued', 'all'];
const STATUSES: StatusFilter[] = ['open', 'pending', 'snoozed', 'resolved', 'all'];

export function ConversationList({ activeId }: { activeId: string | null }) {
  const inbox = useInbox();
  const s = useSession();
  const { filter, loading, error, nextCursor } = inbox.state;
  const [q, setQ] = useState(filter.q);
  const now = useNow(30_000);
  // Search as the agent types, without a request per keystroke.
  useEffect(() => {
    if (q === filter.q) return;
    const h = setTimeout(() => inbox.setFilter({ ...filter, q: q.trim() }), 300);
    return () => clearTimeout(h);
  }, [q]); // eslint-disable-line react-hooks/exhaustive-deps
  const listRef = useRef<HTMLUListElement>(null);
  const list = inbox.list;
  const emptyText = filter.q
    ? t('inbox.empty.search', { q: filter.q })
    : filter.assignee === 'mine'
      ? t('inbox.empty.mine')
      : filter.assignee === 'unassigned'
        ? t('inbox.empty.unassigned')
        : filter.assignee === 'queued'
          ? t('inbox.empty.queued')
          : t('inbox.empty.all');

  return (
    <section className="inbox-list" aria-labelledby="inbox-list-title">
      <div className="inbox-list-head">
        <div className="inbox-list-title">
          <h1 id="inbox-list-title">{t('inbox.title')}</h1>
          <span className={`live ${inbox.socket === 'open' ? 'live-on' : 'live-off'}`} role="status">
            <span className="dot" aria-hidden="true" />
            {inbox.socket === 'open' ? t('inbox.live') : inbox.socket === 'blocked' ? t('inbox.blocked') : t('inbox.offline')}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            aria-pressed={inbox.sound}
            aria-label={inbox.sound ? t('inbox.sound.on') : t('inbox.sound.off')}
            title={inbox.sound ? t('inbox.sound.on') : t('inbox.sound.off')}
            onClick={() => inbox.setSound(!inbox.sound)}
          >
            <Icon name={inbox.sound ? 'bell' : 'bellOff'} />
          </button>
          {inbox.desktopPermission === 'granted' && (
            <button
              type="button"
              className={`btn btn-ghost btn-icon${inbox.desktop ? '' : ' btn-off'}`}
              aria-pressed={inbox.desktop}
              aria-label={inbox.desktop ? t('inbox.desktop.on') : t('inbox.desktop.off')}
              title={inbox.desktop ? t('inbox.desktop.on') : t('inbox.desktop.off')}
              onClick={() => inbox.setDesktop(!inbox.desktop)}
            >
              <Icon name="monitor" />
            </button>
          )}
        </div>
        <div className="search">
          <label htmlFor="inbox-search" className="sr-only">
            {t('inbox.search')}
          </label>
          <input
            id="inbox-search"
            type="search"
            placeholder={t('inbox.searchPlaceholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setQ('');
                (e.target as HTMLInputElement).blur();
              }
            }}
          />
        </div>
        <div className="filters">
          <div className="segmented" role="group" aria-label={t('inbox.filter.assignee')}>
            {ASSIGNEES.map((a) => (
              <button
                key={a}
                type="button"
                aria-pressed={filter.assignee === a}
                className={filter.assignee === a ? 'on' : ''}
                onClick={() => inbox.setFilter({ ...filter, assignee: a })}
              >
                {t(`inbox.filter.${a}`)}
              </button>
            ))}
          </div>
          <label htmlFor="inbox-status" className="sr-only">
            {t('inbox.filter.status')}
          </label>
          <select id="inbox-status" value={filter.status} onChange={(e) => inbox.setFilter({ ...filter, status: e.target.value as StatusFilter })}>
            {STATUSES.map((st) => (
              <option key={st} value={st}>
                {t(`inbox.status.${st}`)}
              </option>
            ))}
          </select>
          <label htmlFor="inbox-label" className="sr-only">
            {t('inbox.filter.label')}
          </label>
          <select id="inbox-label" value={filter.label ?? ''} onChange={(e) => inbox.setFilter({ ...filter, label: e.target.value })}>
            <option value="">{t('inbox.filter.anyLabel')}</option>
            {labelChoices(Object.values(inbox.state.byId), filter.label).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="inbox-list-body">
        {loading && !list.length ? (
          <SkeletonList rows={6} />
        ) : error !== undefined && !list.length ? (
          <ErrorState error={error} onRetry={inbox.reload} />
        ) : !list.length ? (
          <EmptyState
            icon={filter.q ? '🔍' : '📭'}
            title={t('inbox.empty.title')}
            action={
              !filter.q && filter.assignee === 'all' && isAdmin(s) ? (
                <Link className="btn btn-secondary" href="/getting-started">
                  {t('inbox.empty.install')}
                </Link>
              ) : undefined
            }
          >
            <p>{emptyText}</p>
          </EmptyState>
        ) : (
          <ul className="conv-list" ref={listRef} aria-label={t('inbox.list')}>
            {list.map((c) => (
              <ConversationItem key={c.id} c={c} active={c.id === activeId} now={now} />
            ))}
          </ul>
        )}
        {error !== undefined && list.length > 0 && (
          <p className="field-error" role="alert">
            {errorMessage(error)}
          </p>
        )}
        {nextCursor && list.length > 0 && (
          <div className="load-more">
            <Button onClick={inbox.loadMore} busy={loading}>
              {t('common.loadMore')}
            </Button>
          </div>
        )}
      </div>
    </section>
  );
}

function ConversationItem({ c, active, now }: { c: Conversation; active: boolean; now: number }) {
  const inbox = useInbox();
  const name = visitorName(c.visitor);
  const typing = inbox.state.typing[c.id];
  const last = c.last_message;
  const preview = typing
    ? t('conv.typing', { name })
    : last
      ? `${last.author.type === 'visitor' ? '' : `${authorName(last.author, c.visitor, inbox.members, inbox.me?.id)}: `}${last.body}`
      : t('inbox.noMessages');
  const unread = c.unread_count > 0;
  return (
    <li>
      <Link
        href={`/inbox/${encodeURIComponent(c.id)}`}
        className={`conv-item${active ? ' active' : ''}${unread ? ' unread' : ''}`}
        aria-current={active ? 'true' : undefined}
        data-conversation-id={c.id}
      >
        <Avatar name={name} seed={c.visitor?.id ?? c.id} />
        <span className="conv-item-main">
          <span className="conv-item-top">
            <span className="conv-item-name">
              {name}
              {c.visitor?.verified && (
                <span className="verified-dot" title={t('visitor.verified')} aria-label={t('visitor.verified')}>
                  ✓
                </span>
              )}
            </span>
            <time className="conv-item-time" dateTime={c.last_activity_at}>
              {relativeTime(c.last_activity_at, now)}
            </time>
          </span>
          <span className="conv-item-bottom">
            <span className={`conv-item-preview${typing ? ' typing' : ''}`}>{preview}</span>
            {unread && (
              <span className="badge badge-count" aria-label={tn('inbox.unread', c.unread_count)}>
                {c.unread_count > 99 ? '99+' : c.unread_count}
              </span>
            )}
          </span>
          {(c.status !== 'open' || (c.labels && c.labels.length > 0) || c.handoff === 'bot' || c.handoff === 'queued' || c.rating) && (
            <span className="conv-item-tags">
              <HandoffTag c={c} />
              {c.rating && <RatingTag rating={c.rating} />}
              {c.status !== 'open' && <span className={`tag tag-status-${c.status}`}>{t(`inbox.status.${c.status}`)}</span>}
              {(c.labels ?? []).slice(0, 3).map((l) => (
                <span className="tag" key={l}>
                  {l}
                </span>
              ))}
            </span>
          )}
        </span>
      </Link>
    </li>
  );
}
