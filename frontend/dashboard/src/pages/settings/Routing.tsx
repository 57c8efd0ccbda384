import { useState } from 'react';
import { api } from '../../api/endpoints';
import { InputField } from '../../components/ui';
import { t } from '../../i18n';
import type { SettingsProps } from './Settings';
import { SettingsForm, useSave } from './common';

export function RoutingSection({ title, settings, onSaved }: SettingsProps) {
  const [limit, setLimit] = useState(String(settings.agent_open_limit ?? 0));
  const { busy, errors, save, clear } = useSave(['agent_open_limit']);
  const n = Number.parseInt(limit, 10);
  return (
    <SettingsForm
      title={title}
      lead={t('routing.lead')}
      busy={busy}
      formError={errors.form}
      dirty={String(settings.agent_open_limit ?? 0) !== limit}
      onSubmit={() => void save(async () => onSaved(await api.updateSettings({ agent_open_limit: Number.isFinite(n) ? n : 0 })))}
    >
      <InputField
        label={t('routing.limit')}
        type="number"
        min={0}
        max={1000}
        inputMode="numeric"
        value={limit}
        onChange={(e) => {
          setLimit(e.target.value);
          clear('agent_open_limit');
        }}
        hint={t('routing.limitHint')}
        error={errors.fields.agent_open_limit}
      />
    </SettingsForm>
  );
}
