import { useRef, useState, type FormEvent } from 'react';
import { botApi, type APIKey } from '../../api/bot';
import { ApiError } from '../../api/http';
import { Alert, Button, CopyButton, ErrorState, InputField, SkeletonList, useConfirm, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage, formErrors } from '../../lib/fieldErrors';
import { formatDateTime } from '../../lib/format';
import { useAsync } from '../../lib/hooks';
import { PlanNotice } from './Skills';

/** ApiKeys creates (showing the key once), lists and deletes the tenant's API keys. */
export function ApiKeys() {
  const list = useAsync(() => botApi.apiKeys(), []);
  const toast = useToast();
  const [confirm, confirmNode] = useConfirm();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: string; form?: string; plan?: boolean }>({});
  const [created, setCreated] = useState<APIKey | null>(null);
  const createdRef = useRef<HTMLDivElement>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError({});
    try {
      const k = await botApi.createAPIKey(name.trim());
      setCreated(k);
      setName('');
      list.setData((l) => [{ ...k, key: undefined }, ...(l ?? []).filter((x) => x.id !== k.id)]);
      requestAnimationFrame(() => createdRef.current?.focus());
    } catch (err) {
      if (err instanceof ApiError && err.status === 402) setError({ plan: true });
      else {
        const fe = formErrors(err, ['name']);
        setError({ field: fe.fields.name, form: fe.form });
      }
    } finally {
      setBusy(false);
    }
  };
  const del = async (k: APIKey) => {
    if (!(await confirm(t('bots.keys.deleteConfirm', { name: k.name }), t('bots.keys.delete')))) return;
    try {
      await botApi.deleteAPIKey(k.id);
      list.setData((l) => (l ?? []).filter((x) => x.id !== k.id));
      if (created?.id === k.id) setCreated(null);
      toast(t('bots.keys.deleted', { name: k.name }));
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  const keys = list.data ?? [];
  return (
    <>
      <form className="inline-form" onSubmit={create} noValidate>
        <InputField label={t('bots.keys.name')} value={name} maxLength={80} placeholder={t('bots.keys.namePlaceholder')} error={error.field} onChange={(e) => setName(e.target.value)} />
        <Button type="submit" variant="primary" busy={busy} disabled={!name.trim()}>
          {t('bots.keys.create')}
        </Button>
      </form>
      {error.form && <Alert>{error.form}</Alert>}
      {error.plan && <PlanNotice what={t('bots.plan.keys')} />}
      {created?.key && (
        <div className="key-created" tabIndex={-1} ref={createdRef} aria-labelledby="key-created-title">
          <h3 id="key-created-title">{t('bots.keys.createdTitle', { name: created.name })}</h3>
          <Alert kind="warning">{t('bots.keys.once')}</Alert>
          <div className="snippet">
            <label className="sr-only" htmlFor="new-api-key">
              {t('bots.keys.new')}
            </label>
            <input id="new-api-key" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} data-testid="new-api-key" />
            <CopyButton text={created.key} label={t('bots.keys.copy')} variant="primary" />
          </div>
          <p className="field-hint">{t('bots.keys.usage')}</p>
          <Button small onClick={() => setCreated(null)}>
            {t('bots.keys.done')}
          </Button>
        </div>
      )}
      {list.loading && !list.data ? (
        <SkeletonList rows={2} />
      ) : list.error ? (
        list.error instanceof ApiError && list.error.status === 402 ? (
          <PlanNotice what={t('bots.plan.keys')} />
        ) : (
          <ErrorState error={list.error} onRetry={list.reload} />
        )
      ) : keys.length === 0 ? (
        <p className="muted keys-empty">{t('bots.keys.empty')}</p>
      ) : (
        <table className="table keys-table">
          <caption className="sr-only">{t('bots.keys.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('bots.keys.name')}</th>
              <th scope="col">{t('bots.keys.prefix')}</th>
              <th scope="col">{t('bots.keys.created')}</th>
              <th scope="col">{t('bots.keys.lastUsed')}</th>
              <th scope="col">
                <span className="sr-only">{t('bots.keys.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td className="break">{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{formatDateTime(k.created_at)}</td>
                <td>{k.last_used_at ? formatDateTime(k.last_used_at) : <span className="muted">{t('bots.keys.never')}</span>}</td>
                <td className="cell-actions">
                  <Button small variant="danger" onClick={() => void del(k)} aria-label={t('bots.keys.deleteLabel', { name: k.name })}>
                    {t('common.delete')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirmNode}
    </>
  );
}
