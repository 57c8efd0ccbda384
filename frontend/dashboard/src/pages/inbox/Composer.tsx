import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../../api/endpoints';
import type { CannedResponse } from '../../api/types';
import { Icon } from '../../components/Icon';
import { Button } from '../../components/ui';
import { t } from '../../i18n';
import { cannedQuery, filterCanned } from '../../inbox/canned';
import { errorMessage } from '../../lib/fieldErrors';
import { useAsync } from '../../lib/hooks';
import { AttachButton, UploadTray, type Uploads } from './Uploads';

export type ComposeMode = 'reply' | 'note';

/** Other parts of the inbox (keyboard shortcuts) ask the composer to focus in a mode. */
export function focusComposer(mode: ComposeMode): void {
  window.dispatchEvent(new CustomEvent('parley:compose', { detail: mode }));
}

/** fillCanned fills a canned reply's {name} with the visitor's first name. */
export function fillCanned(body: string, visitorFirstName: string): string {
  return body.replace(/\{name\}/g, visitorFirstName || '').replace(/\s+([,.!?])/g, '$1');
}

interface Props {
  conversationId: string;
  visitorName: string;
  visitorFirstName: string;
  /** onSend gets the text (may be empty when files go) and the ids of the uploaded files. */
  onSend: (body: string, isPrivate: boolean, attachments: string[]) => void;
  onTyping: (typing: boolean) => void;
  uploads: Uploads;
}

export function Composer({ conversationId, visitorName, visitorFirstName, onSend, onTyping, uploads }: Props) {
  const [mode, setMode] = useState<ComposeMode>('reply');
  const [draft, setDraft] = useState('');
  const [pick, setPick] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const canned = useAsync<CannedResponse[]>(() => api.canned(), []);
  const listId = useId();
  const typingSent = useRef(0);
  const typingStop = useRef<ReturnType<typeof setTimeout>>(undefined);

  // Drafts belong to a conversation.
  useEffect(() => {
    setDraft('');
    setMode('reply');
  }, [conversationId]);

  useEffect(() => {
    const on = (e: Event) => {
      setMode((e as CustomEvent<ComposeMode>).detail);
      input.current?.focus();
    };
    window.addEventListener('parley:compose', on);
    return () => window.removeEventListener('parley:compose', on);
  }, []);

  useEffect(() => () => clearTimeout(typingStop.current), []);

  const query = cannedQuery(draft);
  const matches = useMemo(() => (query === null ? [] : filterCanned(canned.data ?? [], query)), [query, canned.data]);
  const pickerOpen = query !== null && !dismissed;
  useEffect(() => setPick(0), [query]);
  useEffect(() => setDismissed(false), [query === null]); // eslint-disable-line react-hooks/exhaustive-deps

  const stopTyping = () => {
    clearTimeout(typingStop.current);
    if (typingSent.current) {
      typingSent.current = 0;
      onTyping(false);
    }
  };

  const changed = (value: string) => {
    setDraft(value);
    if (mode !== 'reply' || !value.trim()) {
      stopTyping();
      return;
    }
    // Tell the visitor we are typing at most every 3 s, and that we stopped after 4 s of quiet.
    const now = Date.now();
    if (now - typingSent.current > 3000) {
      typingSent.current = now;
      onTyping(true);
    }
    clearTimeout(typingStop.current);
    typingStop.current = setTimeout(stopTyping, 4000);
  };

  const insert = (c: CannedResponse) => {
    setDraft(fillCanned(c.body, visitorFirstName));
    input.current?.focus();
  };

  const canSend = (!!draft.trim() || uploads.readyIds.length > 0) && !uploads.busy;
  const send = () => {
    const body = draft.trim();
    if (!canSend) return;
    stopTyping();
    const ids = uploads.readyIds;
    onSend(body, mode === 'note', ids);
    uploads.sent(ids);
    setDraft('');
  };

  const keyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (pickerOpen && matches.length) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setPick((pick + 1) % matches.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setPick((pick - 1 + matches.length) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(matches[pick]);
        return;
      }
    }
    if (e.key === 'Escape') {
      if (pickerOpen) {
        e.preventDefault();
        setDismissed(true);
        return;
      }
      input.current?.blur();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      send();
    }
  };

  const note = mode === 'note';
  return (
    <div className={`composer${note ? ' composer-note' : ''}`}>
      <div className="composer-tabs" role="radiogroup" aria-label={t('conv.mode.label')}>
        <button type="button" role="radio" aria-checked={!note} className={!note ? 'on' : ''} onClick={() => setMode('reply')}>
          {t('conv.mode.reply')}
        </button>
        <button type="button" role="radio" aria-checked={note} className={note ? 'on on-note' : ''} onClick={() => setMode('note')}>
          <Icon name="lock" size={14} />
          {t('conv.mode.note')}
        </button>
      </div>
      {pickerOpen && (
        <div className="canned-picker">
          <div className="canned-head">
            <strong>{t('conv.canned.title')}</strong>
            <span className="field-hint">{t('conv.canned.hint')}</span>
          </div>
          {canned.loading ? (
            <p className="field-hint">{t('app.loading')}</p>
          ) : canned.error !== undefined ? (
            <p className="field-error" role="alert">
              {errorMessage(canned.error)}{' '}
              <Button
                small
                variant="ghost"
                onMouseDown={(e) => {
                  e.preventDefault(); // keep the composer's focus
                  canned.reload();
                }}
              >
                {t('error.retry')}
              </Button>
            </p>
          ) : matches.length ? (
            <ul id={listId} role="listbox" aria-label={t('conv.canned.title')}>
              {matches.map((c, i) => (
                <li
                  key={c.id}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === pick}
                  className={i === pick ? 'on' : ''}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    insert(c);
                  }}
                  onMouseEnter={() => setPick(i)}
                >
                  <span className="canned-shortcut">/{c.shortcut}</span>
                  <span className="canned-body">{c.body}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="field-hint">{t('conv.canned.empty')}</p>
          )}
        </div>
      )}
      <label htmlFor="composer-input" className="sr-only">
        {note ? t('conv.mode.note') : t('conv.composer')}
      </label>
      <textarea
        id="composer-input"
        ref={input}
        rows={3}
        value={draft}
        placeholder={note ? t('conv.composer.note') : t('conv.composer.reply', { name: visitorName })}
        aria-activedescendant={pickerOpen && matches.length ? `${listId}-${pick}` : undefined}
        aria-controls={pickerOpen && matches.length ? listId : undefined}
        onChange={(e) => changed(e.target.value)}
        onKeyDown={keyDown}
        onBlur={stopTyping}
        onPaste={(e) => {
          const files = [...e.clipboardData.files];
          if (!files.length || uploads.disabled) return;
          e.preventDefault();
          uploads.add(files);
        }}
        maxLength={10000}
      />
      <UploadTray u={uploads} />
      <div className="composer-actions">
        <span className="composer-tools">
          <AttachButton u={uploads} />
          <span className="field-hint composer-hint">{uploads.busy ? t('files.waiting') : note ? t('conv.composer.note') : ''}</span>
        </span>
        <Button variant={note ? 'secondary' : 'primary'} className={note ? 'btn-note' : ''} onClick={send} disabled={!canSend}>
          {note ? t('conv.composer.addNote') : t('conv.composer.send')}
        </Button>
      </div>
    </div>
  );
}
