import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, PageHeader, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { formErrors, type FormErrors } from '../../lib/fieldErrors';

/** useSave runs a save, maps API errors onto the form's fields and reports success. */
export function useSave(fields: readonly string[], aliases: Record<string, string> = {}) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const save = async (fn: () => Promise<unknown>, success = t('common.saved')) => {
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await fn();
      toast(success);
      return true;
    } catch (err) {
      setErrors(formErrors(err, fields, aliases));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const clear = (field: string) => errors.fields[field] && setErrors({ ...errors, fields: { ...errors.fields, [field]: '' } });
  return { busy, errors, setErrors, save, clear };
}

export function SettingsForm({
  title,
  lead,
  onSubmit,
  busy,
  formError,
  dirty,
  children,
  aside,
}: {
  title: string;
  lead?: ReactNode;
  onSubmit: () => void;
  busy: boolean;
  formError?: string;
  dirty: boolean;
  children: ReactNode;
  aside?: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <>
      <PageHeader title={title} lead={lead} />
      <div className={aside ? 'settings-split' : ''}>
        <form className="card settings-form" onSubmit={submit} noValidate>
          {formError && <Alert>{formError}</Alert>}
          {children}
          <div className="form-actions">
            {dirty && <span className="field-hint">{t('common.unsaved')}</span>}
            <Button type="submit" variant="primary" busy={busy} disabled={!dirty}>
              {busy ? t('common.saving') : t('common.save')}
            </Button>
          </div>
        </form>
        {aside}
      </div>
    </>
  );
}
