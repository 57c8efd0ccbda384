import { useCallback, useEffect, useReducer, useRef } from 'react';
import { filesApi } from '../../api/files';
import type { UploadOptions } from '../../api/http';
import { MAX_ATTACHMENTS, type Attachment, type UploadPolicy } from '../../api/types';
import { Icon } from '../../components/Icon';
import { busy, checkFile, guessKind, ready, room, trayReducer, uploadError, type UploadItem } from '../../files/logic';
import { t } from '../../i18n';
import { formatSize } from '../../lib/format';

export interface UploadDeps {
  policy: () => Promise<UploadPolicy>;
  upload: (file: File, opts: UploadOptions) => Promise<Attachment>;
}

const realDeps: UploadDeps = { policy: filesApi.policy, upload: filesApi.upload };

export interface Uploads {
  items: UploadItem[];
  /** The <input accept> value of the policy, once known. */
  accept: string;
  /** Files are off for the workspace (the attach button hides). */
  disabled: boolean;
  add: (files: File[]) => void;
  cancel: (key: string) => void;
  retry: (key: string) => void;
  /** ids of the uploaded files a send carries, and whether an upload still runs. */
  readyIds: string[];
  busy: boolean;
  /** sent drops the files a send carried from the tray. */
  sent: (ids: string[]) => void;
}

let seq = 0;

/**
 * useUploads is the composer's tray of files for one conversation: each file
 * is checked against the workspace's upload policy first (a file over a limit
 * never starts), then uploaded with its own progress and cancel; the tray
 * empties when the conversation changes.
 */
export function useUploads(conversationId: string, deps: UploadDeps = realDeps): Uploads {
  const [items, dispatch] = useReducer(trayReducer, []);
  const policy = useRef<{ value?: UploadPolicy; promise?: Promise<UploadPolicy | undefined> }>({});
  // The file behind each tray item (so Retry can send it again), and the running uploads.
  const files = useRef(new Map<string, File>());
  const running = useRef(new Map<string, AbortController>());
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const loadPolicy = useCallback(() => {
    if (!policy.current.promise) {
      policy.current.promise = deps.policy().then(
        (p) => {
          policy.current.value = p;
          rerender();
          return p;
        },
        () => {
          policy.current.promise = undefined; // ask again next time; the server checks anyway
          return undefined;
        },
      );
    }
    return policy.current.promise;
  }, [deps]);

  useEffect(() => {
    void loadPolicy();
  }, [loadPolicy]);

  const abortAll = () => {
    for (const a of running.current.values()) a.abort();
    running.current.clear();
    files.current.clear();
  };
  useEffect(() => {
    dispatch({ type: 'clear' });
    return abortAll;
  }, [conversationId]);

  const start = useCallback(
    (key: string, file: File) => {
      const abort = new AbortController();
      running.current.set(key, abort);
      deps
        .upload(file, { signal: abort.signal, onProgress: (p) => dispatch({ type: 'progress', key, progress: p }) })
        .then(
          (attachment) => dispatch({ type: 'done', key, attachment }),
          (err) => {
            if ((err as Error)?.name === 'AbortError') return;
            dispatch({ type: 'failed', key, error: uploadError(err, file.name) });
          },
        )
        .finally(() => {
          if (running.current.get(key) === abort) running.current.delete(key);
        });
    },
    [deps],
  );

  const add = useCallback(
    async (chosen: File[]) => {
      if (!chosen.length) return;
      const p = await loadPolicy();
      let free = room(itemsRef.current);
      const added: UploadItem[] = [];
      const toStart: [string, File][] = [];
      for (const file of chosen) {
        const key = `u${++seq}`;
        const base = { key, name: file.name || 'file', size: file.size, kind: guessKind(file.name, file.type), progress: 0 };
        const refused = checkFile(file, p) ?? (free <= 0 ? t('files.error.tooMany', { max: MAX_ATTACHMENTS, name: file.name }) : undefined);
        if (refused) {
          added.push({ ...base, status: 'refused', error: refused });
          continue;
        }
        free--;
        files.current.set(key, file);
        added.push({ ...base, status: 'uploading' });
        toStart.push([key, file]);
      }
      dispatch({ type: 'add', items: added });
      for (const [key, file] of toStart) start(key, file);
    },
    [loadPolicy, start],
  );

  const cancel = (key: string) => {
    running.current.get(key)?.abort();
    running.current.delete(key);
    files.current.delete(key);
    dispatch({ type: 'remove', key });
  };
  const retry = (key: string) => {
    const file = files.current.get(key);
    if (!file) return;
    dispatch({ type: 'retry', key });
    start(key, file);
  };

  const p = policy.current.value;
  return {
    items,
    accept: p?.accept ?? '',
    disabled: p ? !p.enabled : false,
    add: (files) => void add(files),
    cancel,
    retry,
    readyIds: ready(items).map((x) => x.attachment!.id),
    busy: busy(items),
    sent: (ids) => {
      const keys = items.filter((x) => x.attachment && ids.includes(x.attachment.id)).map((x) => x.key);
      for (const k of keys) files.current.delete(k);
      dispatch({ type: 'sent', keys });
    },
  };
}

/** UploadTray lists the files to send, each with its progress bar and a cancel (or remove, or retry) button. */
export function UploadTray({ u }: { u: Uploads }) {
  if (!u.items.length) return null;
  return (
    <ul className="tray" aria-label={t('files.tray')}>
      {u.items.map((x) => (
        <li key={x.key} className={`tray-item tray-${x.status}`} data-testid="tray-item">
          <span className="tray-name" title={x.name}>
            {x.name}
          </span>
          <span className="tray-size">{formatSize(x.size)}</span>
          {x.status === 'uploading' && (
            <span
              className="tray-bar"
              role="progressbar"
              aria-label={t('files.uploading', { name: x.name })}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(x.progress * 100)}
            >
              <span style={{ width: `${Math.round(x.progress * 100)}%` }} />
            </span>
          )}
          {x.status === 'done' && <span className="tray-ok">✓ {t('files.uploaded')}</span>}
          {x.error && (
            <span className="tray-error" role="alert">
              {x.error}
            </span>
          )}
          {x.status === 'failed' && (
            <button type="button" className="link-button" aria-label={t('files.retryLabel', { name: x.name })} onClick={() => u.retry(x.key)}>
              {t('files.retry')}
            </button>
          )}
          <button
            type="button"
            className="tray-x"
            aria-label={x.status === 'uploading' ? t('files.cancel', { name: x.name }) : t('files.remove', { name: x.name })}
            onClick={() => u.cancel(x.key)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** AttachButton opens the file picker (several files at once). */
export function AttachButton({ u }: { u: Uploads }) {
  const input = useRef<HTMLInputElement>(null);
  if (u.disabled) return null;
  return (
    <>
      <button type="button" className="btn btn-ghost btn-small attach-btn" aria-label={t('files.attach')} title={t('files.attachHint')} onClick={() => input.current?.click()}>
        <Icon name="clip" size={16} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={u.accept || undefined}
        data-testid="attach-input"
        onChange={(e) => {
          u.add([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}
