import { useEffect, useRef, useState } from 'react';
import { ApiError, type UploadOptions } from '../api/http';
import { guessKind } from '../files/logic';
import { t, type MessageKey } from '../i18n';
import { errorMessage } from '../lib/fieldErrors';
import { formatSize } from '../lib/format';
import { Alert, Button } from './ui';
import '../pages/inbox/files.css';

/** MAX_IMAGE_BYTES bounds a photo or logo before it is re-encoded (the gateway's limit). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** IMAGE_ACCEPT: the images Parley re-encodes (never SVG). */
export const IMAGE_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp';

/** imageError is why a file cannot be a photo or logo before it is sent, or undefined. */
export function imageError(file: File, maxBytes: number): string | undefined {
  if (guessKind(file.name, file.type) !== 'image') return t('photo.notImage');
  if (maxBytes > 0 && file.size > maxBytes) return t('photo.tooBig', { size: formatSize(file.size), max: formatSize(maxBytes) });
  return undefined;
}

/** imageUploadError is the sentence for a refused photo or logo. */
export function imageUploadError(err: unknown): string {
  if (err instanceof ApiError && err.status === 415) return t('photo.unsupported');
  return errorMessage(err);
}

interface Labels {
  choose: MessageKey;
  change: MessageKey;
  save: MessageKey;
  remove: MessageKey;
  none: MessageKey;
  current: MessageKey;
  progress: MessageKey;
}

/**
 * ImageUpload replaces or removes one image (a member's photo, the logo):
 * the chosen file is previewed (a data: URL — the dashboard's CSP allows no
 * blob: images) and checked, then uploaded with a progress bar and a cancel.
 */
export function ImageUpload({
  current,
  labels,
  round,
  maxBytes,
  upload,
  remove,
  onDone,
}: {
  current?: string;
  labels: Labels;
  round?: boolean;
  maxBytes: number;
  upload: (file: File, opts: UploadOptions) => Promise<unknown>;
  remove: () => Promise<unknown>;
  onDone: (what: 'saved' | 'removed') => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const choose = (f: File | undefined) => {
    setError('');
    setPreview('');
    setFile(null);
    if (!f) return;
    const why = imageError(f, maxBytes);
    if (why) {
      setError(why);
      return;
    }
    setFile(f);
    const r = new FileReader();
    r.onload = () => typeof r.result === 'string' && setPreview(r.result);
    r.readAsDataURL(f);
  };

  const save = async () => {
    if (!file) return;
    setError('');
    setProgress(0);
    abort.current = new AbortController();
    try {
      await upload(file, { onProgress: setProgress, signal: abort.current.signal });
      setFile(null);
      setPreview('');
      onDone('saved');
    } catch (err) {
      if ((err as Error)?.name !== 'AbortError') setError(imageUploadError(err));
    } finally {
      setProgress(null);
    }
  };

  const drop = async () => {
    setBusy(true);
    setError('');
    try {
      await remove();
      onDone('removed');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const cls = round ? 'photo-preview' : 'logo-preview';
  return (
    <div className="image-upload">
      {error && <Alert>{error}</Alert>}
      <div className="photo-row">
        {preview ? (
          <img className={cls} src={preview} alt={t('photo.preview')} />
        ) : current ? (
          <img className={cls} src={current} alt={t(labels.current)} />
        ) : (
          <p className="muted">{t(labels.none)}</p>
        )}
        {progress !== null ? (
          <>
            <span className="upload-progress" role="progressbar" aria-label={t(labels.progress)} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)}>
              <span style={{ width: `${Math.round(progress * 100)}%` }} />
            </span>
            <Button small onClick={() => abort.current?.abort()}>
              {t('common.cancel')}
            </Button>
          </>
        ) : file ? (
          <>
            <Button variant="primary" onClick={() => void save()}>
              {t(labels.save)}
            </Button>
            <Button onClick={() => choose(undefined)}>{t('common.cancel')}</Button>
          </>
        ) : (
          <>
            <Button onClick={() => input.current?.click()}>{t(current ? labels.change : labels.choose)}</Button>
            {current && (
              <Button variant="ghost" busy={busy} onClick={() => void drop()}>
                {t(labels.remove)}
              </Button>
            )}
          </>
        )}
        <input
          ref={input}
          type="file"
          hidden
          accept={IMAGE_ACCEPT}
          aria-label={t(current ? labels.change : labels.choose)}
          onChange={(e) => {
            choose(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </div>
    </div>
  );
}
