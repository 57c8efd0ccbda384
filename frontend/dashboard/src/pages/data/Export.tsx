import { useEffect, useState, type MouseEvent } from 'react';
import { ApiError } from '../../api/http';
import { accountApi } from '../../api/account';
import { dataApi, type Export } from '../../api/data';
import { Alert, Button, Spinner, ErrorState } from '../../components/ui';
import { t, tn, type MessageKey } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { formatDate, formatDateTime } from '../../lib/format';
import { useAsync } from '../../lib/hooks';
import { formatBytes, isActive, percent, pollJob, sortedCounts, upsertJob } from './logic';
import { JobProgress } from './JobProgress';

/**
 * ExportSection starts an export of the whole workspace and follows it to
 * the download link. The newest export is the one shown: a running one is
 * picked up again from GET /exports when the page is opened anew.
 */
export function ExportSection() {
  const list = useAsync(() => dataApi.exports(), []);
  const email = useAsync(() => accountApi.emailStatus(), []);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState('');
  const current = list.data?.[0];
  const active = isActive(current?.status);

  useEffect(() => {
    if (!current || !active) return;
    return pollJob(
      () => dataApi.export(current.id),
      (e) => list.setData((old) => upsertJob(old, e)),
    );
  }, [current?.id, active]); // eslint-disable-line react-hooks/exhaustive-deps

  const start = async () => {
    setStarting(true);
    setError('');
    try {
      const e = await dataApi.createExport();
      list.setData((old) => upsertJob(old, e));
    } catch (err) {
      // 409: one is already running (another tab, another admin): follow it.
      if (err instanceof ApiError && err.status === 409) list.reload();
      else setError(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="card data-card" aria-labelledby="data-export">
      <h2 id="data-export">{t('data.export.title')}</h2>
      <p>{t('data.export.lead')}</p>
      <p className="muted">{email.data?.email_enabled === false ? t('data.export.noEmail') : t('data.export.email')}</p>
      {error && <Alert>{error}</Alert>}
      <Button variant="primary" busy={starting} disabled={active || list.loading} onClick={start}>
        {starting ? t('data.export.starting') : t('data.export.start')}
      </Button>
      {list.loading && !list.data ? (
        <Spinner />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : (
        <>
          {current && <CurrentExport e={current} onFresh={(e) => list.setData((old) => upsertJob(old, e))} />}
          <History exports={list.data ?? []} onFresh={(e) => list.setData((old) => upsertJob(old, e))} />
        </>
      )}
    </section>
  );
}

function CurrentExport({ e, onFresh }: { e: Export; onFresh: (e: Export) => void }) {
  if (isActive(e.status)) {
    return <JobProgress label={t('data.export.progress')} text={t('data.export.progressText', { percent: percent(e.progress) })} progress={e.progress} testId="export-progress" />;
  }
  if (e.status === 'failed') return <Alert>{t('data.export.failed', { error: e.error || t('error.unexpected') })}</Alert>;
  if (e.status === 'expired') return <Alert kind="info">{e.error ? t('data.export.expired', { error: e.error }) : t('data.export.expiredPlain')}</Alert>;
  return (
    <div className="export-done" data-testid="export-done">
      <p>
        <DownloadLink e={e} onFresh={onFresh} className="btn btn-secondary" />
        {e.expires_at && <span className="field-hint"> {t('data.export.expires', { date: formatDateTime(e.expires_at) })}</span>}
      </p>
      {e.counts && (
        <details>
          <summary>{t('data.export.contents')}</summary>
          <ul className="export-counts">
            {sortedCounts(e.counts).map(([file, n]) => (
              <li key={file}>
                <code>{file}</code> — {tn('data.export.rows', n, { count: n.toLocaleString() })}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/**
 * DownloadLink is a real link to the archive, but a link works once, so a
 * click first asks for a fresh one (GET /exports/{id} mints it) and follows
 * that; the href only serves "copy link" and middle clicks.
 */
function DownloadLink({ e, onFresh, className }: { e: Export; onFresh: (e: Export) => void; className?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const click = async (ev: MouseEvent<HTMLAnchorElement>) => {
    ev.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const fresh = await dataApi.export(e.id);
      onFresh(fresh);
      if (fresh.status !== 'done' || !fresh.download_url) {
        setError(t('data.export.notReady'));
        return;
      }
      const a = document.createElement('a');
      a.href = fresh.download_url;
      a.click();
    } catch (err) {
      setError(t('data.export.downloadFailed', { error: errorMessage(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <a href={e.download_url ?? '#'} className={className} onClick={click} aria-busy={busy || undefined}>
        {t('data.export.download', { size: formatBytes(e.size_bytes) })}
      </a>
      {error && (
        <span className="field-error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}

function History({ exports, onFresh }: { exports: Export[]; onFresh: (e: Export) => void }) {
  return (
    <>
      <h3>{t('data.export.history')}</h3>
      {exports.length === 0 ? (
        <p className="muted">{t('data.export.none')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid="export-history">
            <thead>
              <tr>
                <th scope="col">{t('data.export.col.requested')}</th>
                <th scope="col">{t('data.export.col.status')}</th>
                <th scope="col">{t('data.export.col.size')}</th>
                <th scope="col">{t('data.export.col.completed')}</th>
                <th scope="col">{t('data.export.col.file')}</th>
              </tr>
            </thead>
            <tbody>
              {exports.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.created_at)}</td>
                  <td>
                    <span className={`tag tag-job-${e.status}`}>{t(`data.status.${e.status}` as MessageKey)}</span>
                    {e.status === 'running' && ` ${percent(e.progress)} %`}
                  </td>
                  <td>{e.size_bytes ? formatBytes(e.size_bytes) : '—'}</td>
                  <td>{e.completed_at ? formatDateTime(e.completed_at) : '—'}</td>
                  <td>{e.status === 'done' ? <DownloadLink e={e} onFresh={onFresh} /> : e.status === 'failed' ? e.error : e.expires_at ? formatDate(e.expires_at) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
