import { useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { useSession } from '../../app/session';
import { Alert, Button, CopyButton, Field, PageHeader, Switch, useConfirm, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage, formErrors } from '../../lib/fieldErrors';
import { widgetSnippet } from '../GettingStarted';
import type { SettingsProps } from './Settings';
import { widgetDefaults } from './Widget';

/**
 * normalizeDomainInput trims what people paste ("https://Shop.example.com/page"
 * → "https://shop.example.com"). A scheme typed is kept: it limits the entry
 * to that scheme; a bare host means the site on http and https.
 */
export function normalizeDomainInput(raw: string): string {
  let s = raw.trim().toLowerCase();
  if (!s) return '';
  const scheme = /^[a-z]+:\/\//.exec(s)?.[0] ?? '';
  s = s.slice(scheme.length).replace(/[/?#].*$/, '');
  return scheme + s;
}

/** domainOrigins are the origins an entry allows, as the server stores them. */
export function domainOrigins(entry: string): string[] {
  return entry.includes('://') ? [entry] : [`http://${entry}`, `https://${entry}`];
}

/**
 * groupDomains shows a stored list as the admin typed it: a host stored for
 * both http and https is one item (removing it removes both).
 */
export function groupDomains(stored: readonly string[]): { label: string; origins: string[] }[] {
  const out: { label: string; origins: string[] }[] = [];
  for (const o of stored) {
    const host = o.replace(/^https?:\/\//, '');
    if (o.startsWith('https://') && stored.includes(`http://${host}`)) continue; // shown with its http twin
    if (o.startsWith('http://') && stored.includes(`https://${host}`)) out.push({ label: host, origins: [o, `https://${host}`] });
    else out.push({ label: o, origins: [o] });
  }
  return out;
}

export function InstallationSection({ title, settings, onSaved }: SettingsProps) {
  const s = useSession();
  const toast = useToast();
  const [confirm, confirmNode] = useConfirm();
  const snippet = widgetSnippet(location.origin, s.tenant?.widget_key ?? '');
  const domains = settings.allowed_domains ?? [];
  const [draft, setDraft] = useState('');
  const [domainError, setDomainError] = useState('');
  const [savingDomains, setSavingDomains] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [secretBusy, setSecretBusy] = useState(false);
  const [secretError, setSecretError] = useState('');
  const [verifiedBusy, setVerifiedBusy] = useState(false);
  const widget = { ...widgetDefaults, ...settings.widget };
  const typed = normalizeDomainInput(draft);
  const draftOrigins = typed && !/\s/.test(typed) ? domainOrigins(typed) : [];

  const saveDomains = async (next: string[]) => {
    setSavingDomains(true);
    setDomainError('');
    try {
      const saved = await api.updateSettings({ allowed_domains: next });
      onSaved(saved);
      toast(t('common.saved'));
      return true;
    } catch (err) {
      setDomainError(formErrors(err, ['allowed_domains']).fields.allowed_domains ?? errorMessage(err));
      return false;
    } finally {
      setSavingDomains(false);
    }
  };
  const addDomain = async (e: FormEvent) => {
    e.preventDefault();
    const d = normalizeDomainInput(draft);
    if (!d || /\s/.test(d)) {
      setDomainError(t('install.domainInvalid'));
      return;
    }
    if (domainOrigins(d).every((o) => domains.includes(o))) {
      setDomainError(t('install.domainDuplicate'));
      return;
    }
    if (await saveDomains([...domains, d])) setDraft('');
  };
  const reveal = async () => {
    if (secret) {
      setSecret(null);
      return;
    }
    setSecretBusy(true);
    setSecretError('');
    try {
      setSecret(await api.identitySecret());
    } catch (err) {
      setSecretError(errorMessage(err));
    } finally {
      setSecretBusy(false);
    }
  };
  const rotate = async () => {
    if (!(await confirm(t('install.secretRotateConfirm'), t('install.secretRotate')))) return;
    setSecretBusy(true);
    setSecretError('');
    try {
      setSecret(await api.rotateIdentitySecret());
      toast(t('install.secretRotated'));
    } catch (err) {
      setSecretError(errorMessage(err));
    } finally {
      setSecretBusy(false);
    }
  };
  const setVerified = async (on: boolean) => {
    setVerifiedBusy(true);
    try {
      onSaved(await api.updateSettings({ widget: { ...widget, require_verified_identity: on } }));
      toast(t('common.saved'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setVerifiedBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={title} />
      <section className="card" aria-labelledby="inst-snippet">
        <h2 id="inst-snippet">{t('install.snippet')}</h2>
        <p>{t('start.snippet.lead')}</p>
        <div className="snippet">
          <label className="sr-only" htmlFor="install-snippet">
            {t('install.snippet')}
          </label>
          <textarea id="install-snippet" readOnly rows={2} value={snippet} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={snippet} label={t('start.snippet.copy')} />
        </div>
      </section>

      <section className="card" aria-labelledby="inst-domains">
        <h2 id="inst-domains">{t('install.domains')}</h2>
        <p>{t('install.domainsLead')}</p>
        <p className="field-hint">{t('install.domainsApply')}</p>
        {domains.length ? (
          <ul className="domain-list">
            {groupDomains(domains).map((d) => (
              <li key={d.label}>
                <code>{d.label}</code>
                {d.origins.length > 1 && <span className="field-hint">{t('install.domainBothSchemes')}</span>}
                <Button small variant="ghost" aria-label={t('install.removeDomain', { domain: d.label })} disabled={savingDomains} onClick={() => void saveDomains(domains.filter((x) => !d.origins.includes(x)))}>
                  {t('common.remove')}
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('install.noDomains')}</p>
        )}
        <form className="inline-form" onSubmit={addDomain} noValidate>
          <Field label={t('install.domain')} error={domainError} hint={draftOrigins.length ? t('install.domainMatches', { origins: draftOrigins.join(t('install.domainAnd')) }) : undefined}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={draft}
                placeholder={t('install.domainPlaceholder')}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onChange={(e) => {
                  setDraft(e.target.value);
                  setDomainError('');
                }}
              />
            )}
          </Field>
          <Button type="submit" busy={savingDomains}>
            {t('install.addDomain')}
          </Button>
        </form>
      </section>

      <section className="card" aria-labelledby="inst-secret">
        <h2 id="inst-secret">{t('install.secret')}</h2>
        <p>{t('install.secretLead')}</p>
        {secretError && <Alert>{secretError}</Alert>}
        <div className="secret-row">
          <span className="sr-only" id="secret-label">
            {t('install.secretLabel')}
          </span>
          <code className="secret" aria-labelledby="secret-label" data-testid="identity-secret">
            {secret ?? '•'.repeat(32)}
          </code>
          <Button onClick={() => void reveal()} busy={secretBusy && !secret}>
            {secret ? t('install.secretHide') : t('install.secretReveal')}
          </Button>
          {secret && <CopyButton text={secret} />}
          <Button variant="danger" onClick={() => void rotate()} disabled={secretBusy}>
            {t('install.secretRotate')}
          </Button>
        </div>
        <Switch label={t('install.requireVerified')} hint={t('install.requireVerifiedHint')} checked={widget.require_verified_identity} disabled={verifiedBusy} onChange={(v) => void setVerified(v)} />
      </section>
      {confirmNode}
    </>
  );
}
