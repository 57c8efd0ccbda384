import { useEffect, useId, useState } from 'react';
import { Button, CopyButton } from '../../components/ui';
import { t } from '../../i18n';

/** randomSecret is 32 random bytes, base64url: a signing secret to paste into the other side. */
export function randomSecret(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * SecretField edits a write-only secret. The API never returns it, only
 * whether one is set: when set, the field says so and offers "Replace";
 * while replacing (or when none is set) it is a password input, with a
 * generator. Leaving it empty keeps the stored secret.
 */
export function SecretField({
  label,
  isSet,
  value,
  onChange,
  error,
  hint,
  disabled,
}: {
  label: string;
  isSet: boolean;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [editing, setEditing] = useState(!isSet);
  const [shown, setShown] = useState(false);
  // A save that stored the secret turns the field back to "set".
  useEffect(() => {
    setEditing(!isSet);
    setShown(false);
  }, [isSet]);
  const errId = error ? `${id}-err` : undefined;
  const hintId = `${id}-hint`;
  return (
    <div className={`field secret-field${error ? ' field-invalid' : ''}`}>
      {editing ? (
        <label htmlFor={id}>{label}</label>
      ) : (
        <span className="field-label" id={`${id}-label`}>
          {label}
        </span>
      )}
      {editing ? (
        <div className="secret-edit">
          <input
            id={id}
            type={shown ? 'text' : 'password'}
            autoComplete="new-password"
            spellCheck={false}
            value={value}
            disabled={disabled}
            placeholder={isSet ? t('bots.secret.replacePlaceholder') : ''}
            aria-invalid={!!error || undefined}
            aria-describedby={[errId, hintId].filter(Boolean).join(' ')}
            onChange={(e) => onChange(e.target.value)}
          />
          <Button small onClick={() => setShown(!shown)} aria-pressed={shown} disabled={disabled}>
            {shown ? t('bots.secret.hide') : t('bots.secret.show')}
          </Button>
          <Button
            small
            disabled={disabled}
            onClick={() => {
              onChange(randomSecret());
              setShown(true);
            }}
          >
            {t('bots.secret.generate')}
          </Button>
          {shown && value && <CopyButton text={value} />}
          {isSet && (
            <Button
              small
              variant="ghost"
              disabled={disabled}
              onClick={() => {
                onChange('');
                setEditing(false);
              }}
            >
              {t('bots.secret.keep')}
            </Button>
          )}
        </div>
      ) : (
        <div className="secret-set" role="group" aria-labelledby={`${id}-label`}>
          <span className="badge badge-verified">✓ {t('bots.secret.isSet')}</span>
          <Button small onClick={() => setEditing(true)} disabled={disabled}>
            {t('bots.secret.replace')}
          </Button>
        </div>
      )}
      {error && (
        <p className="field-error" id={errId} role="alert">
          {error}
        </p>
      )}
      <p className="field-hint" id={hintId}>
        {hint ? `${hint} ` : ''}
        {isSet && editing ? t('bots.secret.replaceHint') : t('bots.secret.writeOnly')}
      </p>
    </div>
  );
}
