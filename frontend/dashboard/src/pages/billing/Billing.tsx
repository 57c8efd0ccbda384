import { useEffect, useState } from 'react';
import { billingApi, type BillingOverview, type Feature, type Plan, type Usage, type UsageEntry } from '../../api/billing';
import { isAdmin, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Button, EmptyState, ErrorState, PageHeader, Spinner } from '../../components/ui';
import { t, tn, type MessageKey } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { formatDate, formatDateTime, formatSize } from '../../lib/format';
import { DEFAULT_MAX_FILE_BYTES, type StorageUsage } from '../../api/types';
import { useAsync } from '../../lib/hooks';
import { Link } from '../../lib/router';
import { change, hasFeature, level, percent, quotaBanner } from './logic';

const ALL_FEATURES: Feature[] = ['bot_faq', 'bot_order_status', 'bot_appointments', 'bot_after_hours', 'bot_external', 'api_keys'];

/** Billing is the owner's plan, usage, plan changes (Stripe Checkout or portal) and the usage ledger. */
export function Billing() {
  usePageTitle(t('billing.title'));
  const s = useSession();
  if (!isAdmin(s)) {
    return (
      <div className="page billing">
        <PageHeader title={t('billing.title')} />
        <EmptyState icon="💳" title={t('billing.adminsOnly')} />
      </div>
    );
  }
  return <BillingPage />;
}

function BillingPage() {
  const overview = useAsync(() => billingApi.overview(), []);
  const returned = new URLSearchParams(window.location.search).get('checkout');
  return (
    <div className="page billing">
      <PageHeader title={t('billing.title')} lead={t('billing.lead')} />
      {returned === 'success' && <Alert kind="success">{t('billing.checkout.success')}</Alert>}
      {returned === 'canceled' && <Alert kind="info">{t('billing.checkout.canceled')}</Alert>}
      {overview.loading && !overview.data ? (
        <Spinner />
      ) : overview.error ? (
        <ErrorState error={overview.error} onRetry={overview.reload} />
      ) : overview.data && !overview.data.enabled ? (
        <>
          <EmptyState icon="💳" title={t('billing.off.title')}>
            <p>{t('billing.off.body')}</p>
          </EmptyState>
          {overview.data.storage && (
            <section className="card" aria-labelledby="billing-usage">
              <h2 id="billing-usage">{t('billing.usage')}</h2>
              <StorageBar s={overview.data.storage} />
            </section>
          )}
        </>
      ) : overview.data ? (
        <Overview o={overview.data} />
      ) : null}
    </div>
  );
}

function Overview({ o }: { o: BillingOverview }) {
  const s = useSession();
  const owner = s.user?.role === 'owner';
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const go = async (key: string, call: () => Promise<{ url: string }>) => {
    setBusy(key);
    setError('');
    try {
      const { url } = await call();
      window.location.assign(url);
    } catch (e) {
      setError(errorMessage(e));
      setBusy('');
    }
  };
  const banner = quotaBanner(o);
  return (
    <>
      {banner && (
        <Alert kind={banner.kind}>{t(banner.kind === 'error' ? 'billing.banner.full' : 'billing.banner.warn', { used: banner.used, limit: banner.limit })}</Alert>
      )}
      {o.status === 'past_due' && (
        <Alert kind="error">{o.grace_ends_at && o.plan.paid ? t('billing.pastDue', { date: formatDateTime(o.grace_ends_at) }) : t('billing.pastDueFree')}</Alert>
      )}
      {error && <Alert kind="error">{error}</Alert>}
      <section className="card billing-plan" aria-labelledby="billing-current">
        <h2 id="billing-current">{t('billing.currentPlan')}</h2>
        <p className="billing-plan-name">
          <strong data-testid="billing-plan">{o.plan.name}</strong>{' '}
          <span className={`badge badge-${o.status}`} data-testid="billing-status">
            {t(`billing.status.${o.status}` as MessageKey)}
          </span>
        </p>
        {o.status === 'trialing' && o.trial_end && <p>{t('billing.trialEnds', { date: formatDate(o.trial_end) })}</p>}
        <p className="muted">{t('billing.period', { start: formatDate(o.period_start), end: formatDate(o.period_end) })}</p>
        {o.cancel_at_period_end && <p>{t('billing.cancelAtEnd')}</p>}
        {owner ? (
          <Button busy={busy === 'portal'} onClick={() => go('portal', billingApi.portal)}>
            {t('billing.portal')}
          </Button>
        ) : (
          <p className="muted">{t('billing.ownerOnly')}</p>
        )}
      </section>

      <section className="card" aria-labelledby="billing-usage">
        <h2 id="billing-usage">{t('billing.usage')}</h2>
        <UsageBar label={t('billing.seats')} u={o.seats} id="seats" />
        <UsageBar label={t('billing.conversations')} u={o.conversations} id="conversations" />
        {o.storage && <StorageBar s={o.storage} />}
        <ul className="billing-features" aria-label={o.plan.name}>
          {ALL_FEATURES.map((f) => {
            const has = hasFeature(o, f);
            return (
              <li key={f} className={has ? '' : 'locked'} aria-disabled={!has || undefined} title={has ? undefined : t('billing.feature.locked')}>
                {has ? '✓' : '🔒'} {t(`billing.feature.${f}` as MessageKey)}
              </li>
            );
          })}
        </ul>
      </section>

      <section className="card" aria-labelledby="billing-plans">
        <h2 id="billing-plans">{t('billing.plans')}</h2>
        <div className="billing-plans">
          {o.plans.map((p) => (
            <PlanCard key={p.id} o={o} p={p} owner={owner} busy={busy === p.id} onChoose={() => go(p.id, () => (p.paid ? billingApi.checkout(p.id) : billingApi.portal()))} />
          ))}
        </div>
      </section>

      <Ledger />
    </>
  );
}

function UsageBar({ label, u, id }: { label: string; u: Usage; id: string }) {
  const l = level(u);
  const pct = percent(u);
  return (
    <div className={`usage usage-${l}`} data-testid={`usage-${id}`}>
      <div className="usage-head">
        <span id={`usage-${id}`}>{label}</span>
        <span>{u.limit ? t('billing.ofLimit', { used: u.used, limit: u.limit }) : t('billing.noLimit', { used: u.used })}</span>
      </div>
      {u.limit > 0 && (
        <div className="usage-bar" role="progressbar" aria-labelledby={`usage-${id}`} aria-valuemin={0} aria-valuemax={u.limit} aria-valuenow={Math.min(u.used, u.limit)}>
          <div style={{ width: `${pct}%` }} />
        </div>
      )}
      {l === 'warn' && <p className="usage-note">{t('billing.warn', { percent: pct })}</p>}
      {l === 'full' && <p className="usage-note">{t('billing.full')}</p>}
    </div>
  );
}

/** StorageBar is the workspace's file storage: used of the plan's limit, the number of files and the size limit per file. */
export function StorageBar({ s }: { s: StorageUsage }) {
  const u = { used: s.used_bytes, limit: s.limit_bytes };
  const l = level(u);
  const pct = percent(u);
  return (
    <div className={`usage usage-${l}`} data-testid="usage-storage">
      <div className="usage-head">
        <span id="usage-storage">{t('billing.storage')}</span>
        <span>
          {s.limit_bytes > 0
            ? t('billing.storageOf', { used: formatSize(s.used_bytes), limit: formatSize(s.limit_bytes) })
            : t('billing.storageNoLimit', { used: formatSize(s.used_bytes) })}
        </span>
      </div>
      {s.limit_bytes > 0 && (
        <div className="usage-bar" role="progressbar" aria-labelledby="usage-storage" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={`${formatSize(s.used_bytes)} / ${formatSize(s.limit_bytes)}`}>
          <div style={{ width: `${pct}%` }} />
        </div>
      )}
      <p className="usage-note muted">
        {tn('billing.storageFiles', s.files, { count: s.files.toLocaleString() })}
        {s.max_file_bytes > 0 && ` · ${t('billing.maxFile', { max: formatSize(s.max_file_bytes) })}`}
      </p>
      {l === 'warn' && <p className="usage-note">{t('billing.warn', { percent: pct })}</p>}
      {l === 'full' && <p className="usage-note">{t('files.error.storageFull')}</p>}
    </div>
  );
}

function PlanCard({ o, p, owner, busy, onChoose }: { o: BillingOverview; p: Plan; owner: boolean; busy: boolean; onChoose: () => void }) {
  const c = change(o, p);
  const label = c === 'current' ? t('billing.choose.current') : c === 'free' ? t('billing.choose.free') : t(`billing.choose.${c}`, { name: p.name });
  return (
    <article className={`plan-card${c === 'current' ? ' current' : ''}`} data-testid={`plan-${p.id}`}>
      <h3>{p.name}</h3>
      <ul>
        <li>{p.seats ? t('billing.seatsN', { n: p.seats }) : t('billing.unlimitedSeats')}</li>
        <li>{p.conversations_per_month ? t('billing.perMonth', { n: p.conversations_per_month }) : t('billing.unlimitedConversations')}</li>
        {p.max_file_bytes !== undefined && <li>{t('billing.maxFile', { max: formatSize(p.max_file_bytes || DEFAULT_MAX_FILE_BYTES) })}</li>}
        {p.storage_bytes !== undefined && <li>{p.storage_bytes ? t('billing.planStorage', { size: formatSize(p.storage_bytes) }) : t('billing.planNoStorageLimit')}</li>}
        {p.features.map((f) => (
          <li key={f}>{t(`billing.feature.${f}` as MessageKey)}</li>
        ))}
        {p.trial_days > 0 && <li>{t('billing.trialDays', { n: p.trial_days })}</li>}
      </ul>
      {owner && (
        <Button variant={c === 'upgrade' ? 'primary' : 'secondary'} disabled={c === 'current' || (c === 'free' && !o.plan.paid)} busy={busy} onClick={onChoose}>
          {label}
        </Button>
      )}
    </article>
  );
}

function Ledger() {
  const [entries, setEntries] = useState<UsageEntry[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const load = async (after?: string) => {
    setState('loading');
    try {
      const page = await billingApi.usage(after);
      setEntries((prev) => (after ? [...prev, ...page.entries] : page.entries));
      setCursor(page.next_cursor);
      setState('ready');
    } catch (e) {
      setError(e);
      setState('error');
    }
  };
  useEffect(() => {
    void load();
  }, []);
  return (
    <section className="card" aria-labelledby="billing-ledger">
      <h2 id="billing-ledger">{t('billing.ledger')}</h2>
      <p className="muted">{t('billing.ledgerLead')}</p>
      {state === 'error' ? (
        <ErrorState error={error} onRetry={() => void load()} />
      ) : state === 'loading' && entries.length === 0 ? (
        <Spinner />
      ) : entries.length === 0 ? (
        <p data-testid="ledger-empty">{t('billing.ledgerEmpty')}</p>
      ) : (
        <table className="table ledger" data-testid="ledger">
          <thead>
            <tr>
              <th scope="col">{t('billing.ledger.when')}</th>
              <th scope="col">{t('billing.ledger.conversation')}</th>
              <th scope="col">{t('billing.ledger.why')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.counted_at)}</td>
                <td>
                  <Link href={`/inbox/${e.conversation_id}`}>{e.conversation_id.slice(0, 8)}</Link>
                </td>
                <td>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <Button busy={state === 'loading'} onClick={() => void load(cursor)}>
          {t('billing.more')}
        </Button>
      )}
    </section>
  );
}

/** QuotaBanner tells the owner, on every page, when the month's conversations are nearly or fully used. */
export function QuotaBanner() {
  const s = useSession();
  const [o, setO] = useState<BillingOverview | null>(null);
  const owner = s.user?.role === 'owner';
  useEffect(() => {
    if (!owner) return;
    let live = true;
    billingApi.overview().then((r) => live && setO(r), () => {});
    return () => {
      live = false;
    };
  }, [owner]);
  const b = owner ? quotaBanner(o) : null;
  if (!b || window.location.pathname === '/billing') return null;
  return (
    <div className={`quota-banner quota-${b.kind}`} role="status" data-testid="quota-banner">
      {t(b.kind === 'error' ? 'billing.banner.full' : 'billing.banner.warn', { used: b.used, limit: b.limit })} <Link href="/billing">{t('billing.banner.link')}</Link>
    </div>
  );
}
