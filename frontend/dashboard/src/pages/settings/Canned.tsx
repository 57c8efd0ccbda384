import { useState } from 'react';
import { api } from '../../api/endpoints';
import type { CannedResponse } from '../../api/types';
import { Alert, Button, EmptyState, ErrorState, InputField, PageHeader, SkeletonList, TextareaField, useConfirm, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { useAsync, useSubmit } from '../../lib/hooks';

export function CannedSection({ title }: { title: string }) {
  const list = useAsync(() => api.canned(), []);
  const toast = useToast();
  const [confirm, confirmNode] = useConfirm();
  const [editing, setEditing] = useState<string | null>(null);
  const sorted = [...(list.data ?? [])].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  const del = async (c: CannedResponse) => {
    if (!(await confirm(t('canned.deleteConfirm', { shortcut: c.shortcut }), t('common.delete')))) return;
    try {
      await api.deleteCanned(c.id);
      list.setData((l) => (l ?? []).filter((x) => x.id !== c.id));
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  return (
    <>
      <PageHeader title={title} lead={t('canned.lead')} />
      <section className="card" aria-labelledby="canned-add">
        <h2 id="canned-add">{t('canned.add')}</h2>
        <CannedForm onSaved={(c) => list.setData((l) => [...(l ?? []), c])} />
      </section>
      <section className="card" aria-label={title}>
        {list.loading && !list.data ? (
          <SkeletonList rows={3} />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !sorted.length ? (
          <EmptyState icon="⚡" title={t('settings.canned')}>
            <p>{t('canned.empty')}</p>
          </EmptyState>
        ) : (
          <ul className="canned-list">
            {sorted.map((c) =>
              editing === c.id ? (
                <li key={c.id}>
                  <CannedForm
                    existing={c}
                    onSaved={(u) => {
                      list.setData((l) => (l ?? []).map((x) => (x.id === u.id ? u : x)));
                      setEditing(null);
                    }}
                    onCancel={() => setEditing(null)}
                  />
                </li>
              ) : (
                <li key={c.id}>
                  <div>
                    <code className="canned-shortcut">/{c.shortcut}</code>
                    <p className="canned-body">{c.body}</p>
                  </div>
                  <div className="row-actions">
                    <Button small onClick={() => setEditing(c.id)} aria-label={t('canned.editLabel', { shortcut: c.shortcut })}>
                      {t('common.edit')}
                    </Button>
                    <Button small variant="ghost" onClick={() => void del(c)} aria-label={t('canned.deleteLabel', { shortcut: c.shortcut })}>
                      {t('common.delete')}
                    </Button>
                  </div>
                </li>
              ),
            )}
          </ul>
        )}
      </section>
      {confirmNode}
    </>
  );
}

function CannedForm({ existing, onSaved, onCancel }: { existing?: CannedResponse; onSaved: (c: CannedResponse) => void; onCancel?: () => void }) {
  const [shortcut, setShortcut] = useState(existing?.shortcut ?? '');
  const [body, setBody] = useState(existing?.body ?? '');
  const { submit, busy, errors } = useSubmit(async () => {
    const sc = shortcut.trim().replace(/^\//, '');
    const c = existing ? await api.updateCanned(existing.id, { shortcut: sc, body }) : await api.createCanned(sc, body);
    onSaved(c);
    if (!existing) {
      setShortcut('');
      setBody('');
    }
  }, ['shortcut', 'body']);
  return (
    <form onSubmit={submit} className="canned-form" noValidate>
      {errors.form && <Alert>{errors.form}</Alert>}
      <InputField label={t('canned.shortcut')} value={shortcut} onChange={(e) => setShortcut(e.target.value)} hint={t('canned.shortcutHint')} error={errors.fields.shortcut} maxLength={32} />
      <TextareaField label={t('canned.body')} rows={3} value={body} onChange={(e) => setBody(e.target.value)} error={errors.fields.body} maxLength={5000} />
      <div className="form-actions">
        {onCancel && <Button onClick={onCancel}>{t('common.cancel')}</Button>}
        <Button type="submit" variant="primary" busy={busy}>
          {existing ? t('common.save') : busy ? t('canned.adding') : t('canned.add')}
        </Button>
      </div>
    </form>
  );
}
