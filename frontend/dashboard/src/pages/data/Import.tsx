import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { dataApi, uploadImport, type Import } from '../../api/data';
import { session, useSession } from '../../app/session';
import { Alert, Button, ErrorState, Field, Spinner } from '../../components/ui';
import { t, tn } from '../../i18n';
import { useAsync } from '../../lib/hooks';
import { importError, isActive, percent, pollJob, sortedCounts } from './logic';
import { JobProgress } from './JobProgress';

/**
 * ImportSection uploads an export archive into this workspace (owners only,
 * and only while it has no conversations), then follows the import job.
 */
export function ImportSection() {
  const s = useSession();
  return (
    <section className="card data-card" aria-labelledby="data-import">
      <h2 id="data-import">{t('data.import.title')}</h2>
      <p>{t('data.import.lead')}</p>
      {s.user?.role === 'owner' ? <ImportForm /> : <p className="muted">{t('data.import.ownerOnly')}</p>}
    </section>
  );
}

function ImportForm() {
  // The newest import, and whether the workspace holds any conversation at all.
  const state = useAsync(async () => {
    const [imports, page] = await Promise.all([dataApi.imports(), api.conversations({ limit: 1 })]);
    return { job: imports[0] as Import | undefined, empty: (page.conversations ?? []).length === 0 };
  }, []);
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState('');
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const job = state.data?.job;
  const active = isActive(job?.status);
  useEffect(() => {
    if (!job || !active) return;
    return pollJob(
      () => dataApi.import(job.id),
      (j) => state.setData((old) => ({ empty: old?.empty ?? false, job: j })),
    );
  }, [job?.id, active]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setError(t('data.import.pick'));
      return;
    }
    setError('');
    setSent(0);
    abort.current = new AbortController();
    try {
      const j = await uploadImport(file, await session.token(), setSent, abort.current.signal);
      state.setData({ empty: false, job: j });
    } catch (err) {
      if ((err as Error)?.name !== 'AbortError') setError(importError(err));
    } finally {
      setSent(null);
    }
  };

  if (state.loading && !state.data) return <Spinner />;
  if (state.error || !state.data) return <ErrorState error={state.error} onRetry={state.reload} />;
  // While an import runs, or once one is done, its status is all there is to show.
  const busyOrDone = active || job?.status === 'done';
  return (
    <>
      {job && <ImportStatus job={job} />}
      {sent !== null ? (
        <JobProgress label={t('data.import.uploadProgress')} text={t('data.import.uploading', { percent: percent(sent) })} progress={sent} testId="upload-progress" />
      ) : busyOrDone ? null : !state.data.empty ? (
        <Alert kind="info">{t('data.import.notEmpty')}</Alert>
      ) : (
        <form className="inline-form import-form" onSubmit={submit} noValidate>
          {error && <Alert>{error}</Alert>}
          <Field label={t('data.import.file')}>
            {({ id }) => <input id={id} type="file" accept=".zip,application/zip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
          </Field>
          <Button type="submit" variant="primary" disabled={!file}>
            {t('data.import.start')}
          </Button>
        </form>
      )}
    </>
  );
}

function ImportStatus({ job }: { job: Import }) {
  if (isActive(job.status)) {
    return <JobProgress label={t('data.import.progress')} text={t('data.import.progressText', { percent: percent(job.progress) })} progress={job.progress} testId="import-progress" />;
  }
  if (job.status === 'failed') return <Alert>{t('data.import.failed', { error: job.error || t('error.unexpected') })}</Alert>;
  return (
    <div data-testid="import-done">
      <Alert kind="success">{t('data.import.done')}</Alert>
      <ul className="export-counts">
        {sortedCounts(job.counts).map(([file, n]) => (
          <li key={file}>
            <code>{file}</code> — {tn('data.export.rows', n, { count: n.toLocaleString() })}
          </li>
        ))}
      </ul>
    </div>
  );
}
