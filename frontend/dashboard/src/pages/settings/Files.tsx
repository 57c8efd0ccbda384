import { useState } from 'react';
import { api } from '../../api/endpoints';
import { filesApi } from '../../api/files';
import { FILE_KINDS, type AttachmentSettings, type FileKind } from '../../api/types';
import { Switch } from '../../components/ui';
import { kindLabel } from '../../files/logic';
import { t, type MessageKey } from '../../i18n';
import { useAsync } from '../../lib/hooks';
import { formatSize } from '../../lib/format';
import type { SettingsProps } from './Settings';
import { SettingsForm, useSave } from './common';

/** DEFAULT_ATTACHMENTS are a workspace's rules until an admin changes them. */
export const DEFAULT_ATTACHMENTS: AttachmentSettings = { enabled: true, kinds: ['image', 'document', 'archive', 'media'] };

/** sortedKinds keeps the kinds in the order the page lists them, without duplicates. */
export function sortedKinds(kinds: readonly FileKind[]): FileKind[] {
  return FILE_KINDS.filter((k) => kinds.includes(k));
}

/** FilesSection: whether visitors and agents may send files, and which kinds (PATCH /settings {attachments}). */
export function FilesSection({ title, settings, onSaved }: SettingsProps) {
  const initial: AttachmentSettings = settings.attachments
    ? { enabled: settings.attachments.enabled, kinds: sortedKinds(settings.attachments.kinds ?? []) }
    : DEFAULT_ATTACHMENTS;
  const [a, setA] = useState<AttachmentSettings>(initial);
  const { busy, errors, save, clear, setErrors } = useSave(['enabled', 'kinds'], { 'attachments.kinds': 'kinds', 'attachments.enabled': 'enabled' });
  const policy = useAsync(() => filesApi.policy(), []);
  const kinds = a.kinds ?? [];
  const dirty = JSON.stringify(a) !== JSON.stringify(initial);
  const toggle = (k: FileKind, on: boolean) => {
    setA({ ...a, kinds: sortedKinds(on ? [...kinds, k] : kinds.filter((x) => x !== k)) });
    clear('kinds');
  };
  const submit = () => {
    if (a.enabled && !kinds.length) {
      setErrors({ fields: { kinds: t('filesettings.kindsNone') } });
      return;
    }
    void save(async () => {
      const next = await api.updateSettings({ attachments: a });
      onSaved(next);
      policy.reload();
    });
  };
  return (
    <SettingsForm title={title} lead={t('filesettings.lead')} onSubmit={submit} busy={busy} formError={errors.form} dirty={dirty}>
      <Switch label={t('filesettings.enabled')} hint={t('filesettings.enabledHint')} checked={a.enabled} onChange={(enabled) => setA({ ...a, enabled })} />
      <fieldset className="fieldset" disabled={!a.enabled} aria-describedby={errors.fields.kinds ? 'kinds-error' : undefined}>
        <legend>{t('filesettings.kinds')}</legend>
        <div className="kinds">
          {FILE_KINDS.map((k) => (
            <div key={k} className="kind-option">
              <input id={`kind-${k}`} type="checkbox" checked={kinds.includes(k)} onChange={(e) => toggle(k, e.target.checked)} aria-describedby={`kind-${k}-hint`} />
              <label htmlFor={`kind-${k}`}>{kindLabel(k)}</label>
              <p className="field-hint" id={`kind-${k}-hint`}>
                {t(`files.kind.${k}.hint` as MessageKey)}
              </p>
            </div>
          ))}
        </div>
        {errors.fields.kinds && (
          <p className="field-error" id="kinds-error" role="alert">
            {errors.fields.kinds}
          </p>
        )}
      </fieldset>
      {policy.data && policy.data.max_file_bytes > 0 && (
        <p className="field-hint" data-testid="file-limit">
          {t('filesettings.limits', { max: formatSize(policy.data.max_file_bytes) })}
        </p>
      )}
    </SettingsForm>
  );
}
