import { api } from '../../api/endpoints';
import type { Conversation } from '../../api/types';
import { Avatar, Spinner } from '../../components/ui';
import { t } from '../../i18n';
import { browserName, formatDate, localTimeIn, relativeTime, safeHttpUrl } from '../../lib/format';
import { useAsync, useNow } from '../../lib/hooks';
import { Link } from '../../lib/router';
import { isAdmin, useSession } from '../../app/session';
import { VisitorData } from './VisitorData';
import { visitorName } from './names';

export function VisitorPanel({ c, open }: { c: Conversation; open: boolean }) {
  const v = c.visitor;
  const admin = isAdmin(useSession());
  const now = useNow(30_000);
  const past = useAsync(() => api.visitorConversations(v.id), [v.id, c.id]);
  const name = visitorName(v);
  const page = safeHttpUrl(v.current_url);
  const local = localTimeIn(v.timezone, now);
  const attrs = Object.entries(v.attributes ?? {});
  const others = (past.data ?? []).filter((x) => x.id !== c.id);
  return (
    <aside className={`inbox-visitor${open ? ' open' : ''}`} id="visitor-panel" aria-label={t('visitor.title')}>
      <div className="visitor-card">
        <Avatar name={name} seed={v.id} size={56} />
        <h2 className="visitor-name">{name}</h2>
        {v.verified ? (
          <span className="badge badge-verified" title={t('visitor.verifiedHint')}>
            ✓ {t('visitor.verified')}
          </span>
        ) : (
          <span className="badge badge-muted">{t('visitor.unverified')}</span>
        )}
      </div>
      <dl className="facts">
        <dt>{t('visitor.email')}</dt>
        <dd>{v.email ? <a href={`mailto:${v.email}`}>{v.email}</a> : <span className="muted">{t('visitor.unknown')}</span>}</dd>
        <dt>{t('visitor.page')}</dt>
        <dd className="break">
          {page ? (
            <a href={page} target="_blank" rel="noopener noreferrer">
              {v.current_url}
            </a>
          ) : (
            <span className="muted">{v.current_url || t('visitor.unknown')}</span>
          )}
        </dd>
        <dt>{t('visitor.browser')}</dt>
        <dd>{browserName(v.user_agent) || <span className="muted">{t('visitor.unknown')}</span>}</dd>
        <dt>{t('visitor.localTime')}</dt>
        <dd>{local || <span className="muted">{t('visitor.unknown')}</span>}</dd>
        {v.locale && (
          <>
            <dt>{t('visitor.language')}</dt>
            <dd>{v.locale}</dd>
          </>
        )}
        <dt>{t('visitor.firstSeen')}</dt>
        <dd>{formatDate(v.created_at)}</dd>
      </dl>
      <h3>{t('visitor.attributes')}</h3>
      {attrs.length ? (
        <dl className="facts facts-attrs">
          {attrs.map(([k, val]) => (
            <div key={k} className="fact">
              <dt>{k}</dt>
              <dd className="break">{val}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">{t('visitor.noAttributes')}</p>
      )}
      <h3>{t('visitor.past')}</h3>
      {past.loading && !past.data ? (
        <Spinner />
      ) : past.error ? (
        <p className="muted">{t('error.title')}</p>
      ) : others.length ? (
        <ul className="past-list">
          {others.map((p) => (
            <li key={p.id}>
              <Link href={`/inbox/${encodeURIComponent(p.id)}`}>
                <span className={`tag tag-status-${p.status}`}>{t(`inbox.status.${p.status}`)}</span>
                <span className="past-preview">{p.last_message?.body ?? t('inbox.noMessages')}</span>
                <span className="field-hint">{relativeTime(p.last_activity_at, now)}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('visitor.noPast')}</p>
      )}
      {admin && <VisitorData visitor={v} name={name} conversations={past.data?.length} />}
    </aside>
  );
}
