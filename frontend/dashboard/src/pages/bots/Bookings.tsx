import { useState } from 'react';
import { botApi, type Booking } from '../../api/bot';
import { Button, EmptyState, ErrorState, SkeletonList, useConfirm, useToast } from '../../components/ui';
import { locale, t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { useAsync } from '../../lib/hooks';
import { Link } from '../../lib/router';

/** bookingTime is "Mon, 2 Mar 2026, 10:00 – 10:30 CET" in the agent's time zone. */
export function bookingTime(b: Pick<Booking, 'start_at' | 'end_at'>, loc = locale(), timeZone?: string): string {
  const s = new Date(b.start_at);
  const e = new Date(b.end_at);
  if (Number.isNaN(s.getTime())) return '';
  const day = s.toLocaleDateString(loc, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone });
  const from = s.toLocaleTimeString(loc, { hour: 'numeric', minute: '2-digit', timeZone });
  const to = Number.isNaN(e.getTime()) ? '' : e.toLocaleTimeString(loc, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone });
  return to ? `${day}, ${from} – ${to}` : `${day}, ${from}`;
}

/** upcoming sorts bookings soonest first. */
export function upcoming(list: readonly Booking[]): Booking[] {
  return [...list].sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at) || a.id.localeCompare(b.id));
}

/** Bookings lists upcoming appointments; any member can cancel one (after confirming). */
export function Bookings() {
  // From the start of today, so this morning's appointments still show.
  const [from] = useState(() => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    return d.toISOString();
  });
  const list = useAsync(() => botApi.bookings(from), [from]);
  const toast = useToast();
  const [confirm, confirmNode] = useConfirm();
  const [busy, setBusy] = useState<string | null>(null);
  const cancel = async (b: Booking) => {
    if (!(await confirm(t('bots.bookings.cancelConfirm', { name: b.name || b.email, when: bookingTime(b) }), t('bots.bookings.cancelYes')))) return;
    setBusy(b.id);
    try {
      const updated = await botApi.cancelBooking(b.id);
      list.setData((l) => (l ?? []).map((x) => (x.id === b.id ? { ...x, ...updated } : x)));
      toast(t('bots.bookings.canceled'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(null);
    }
  };
  if (list.loading && !list.data) return <SkeletonList rows={2} label={t('bots.bookings.loading')} />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  const rows = upcoming(list.data ?? []);
  return (
    <>
      {rows.length === 0 ? (
        <EmptyState icon="📅" title={t('bots.bookings.empty.title')}>
          <p>{t('bots.bookings.empty')}</p>
        </EmptyState>
      ) : (
        <table className="table bookings-table">
          <caption className="sr-only">{t('bots.bookings.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('bots.bookings.when')}</th>
              <th scope="col">{t('bots.bookings.service')}</th>
              <th scope="col">{t('bots.bookings.who')}</th>
              <th scope="col">{t('bots.bookings.status')}</th>
              <th scope="col">
                <span className="sr-only">{t('bots.keys.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => {
              const canceled = b.status === 'canceled';
              return (
                <tr key={b.id} className={canceled ? 'booking-canceled' : ''} data-booking={b.id}>
                  <td>
                    <time dateTime={b.start_at}>{bookingTime(b)}</time>
                  </td>
                  <td className="break">{b.service_name}</td>
                  <td className="break">
                    {b.name}
                    {b.email && (
                      <>
                        <br />
                        <span className="muted">{b.email}</span>
                      </>
                    )}
                  </td>
                  <td>
                    <span className={`tag ${canceled ? 'tag-status-resolved' : 'tag-status-open'}`}>{canceled ? t('bots.bookings.statusCanceled') : t('bots.bookings.statusBooked')}</span>
                  </td>
                  <td className="cell-actions">
                    <span className="row-actions">
                      {b.conversation_id && (
                        <Link className="btn btn-ghost btn-small" href={`/inbox/${encodeURIComponent(b.conversation_id)}`} aria-label={t('bots.bookings.openLabel', { name: b.name || b.email })}>
                          {t('bots.bookings.open')}
                        </Link>
                      )}
                      {!canceled && (
                        <Button small variant="danger" busy={busy === b.id} onClick={() => void cancel(b)} aria-label={t('bots.bookings.cancelLabel', { name: b.name || b.email, when: bookingTime(b) })}>
                          {t('bots.bookings.cancel')}
                        </Button>
                      )}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {confirmNode}
    </>
  );
}
