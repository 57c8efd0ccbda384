import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { filesApi } from '../../api/files';
import type { Attachment } from '../../api/types';
import { Button, Spinner } from '../../components/ui';
import { Icon, type IconName } from '../../components/Icon';
import { fileTypeLabel, needsRenewal } from '../../files/logic';
import { t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { formatSize } from '../../lib/format';
import './files.css';

const THUMB = 240;

/** thumbSize fits an image into the thumbnail box, so the log does not jump when it loads. */
export function thumbSize(a: Attachment, box = THUMB): { width: number; height: number } {
  const w = a.image?.width ?? 0;
  const h = a.image?.height ?? 0;
  if (!w || !h) return { width: box, height: Math.round(box * 0.75) };
  const k = Math.min(1, box / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

export type Renew = (conversationId: string, fileId: string) => Promise<Attachment>;

interface Props {
  conversationId: string;
  attachments: Attachment[];
  /** Called with an attachment whose signed URLs were renewed. */
  onRenewed: (a: Attachment) => void;
  renew?: Renew;
}

/** MessageAttachments shows a message's images as thumbnails (full size in a lightbox) and other files as cards. */
export function MessageAttachments({ conversationId, attachments, onRenewed, renew = filesApi.file }: Props) {
  const [open, setOpen] = useState<number | null>(null);
  const [error, setError] = useState('');
  const tried = useRef(new Set<string>());
  const images = attachments.filter((a) => a.kind === 'image' && (a.thumbnail_url || a.url));
  const files = attachments.filter((a) => !images.includes(a));

  const fresh = async (a: Attachment): Promise<Attachment> => {
    if (!needsRenewal(a)) return a;
    const next = await renew(conversationId, a.id);
    onRenewed(next);
    return next;
  };
  // A thumbnail that fails to load has most likely expired (410): renew it once.
  const broken = (a: Attachment) => {
    if (tried.current.has(a.id)) return;
    tried.current.add(a.id);
    renew(conversationId, a.id).then(onRenewed, () => {});
  };
  const download = async (e: MouseEvent<HTMLAnchorElement>, a: Attachment) => {
    if (!needsRenewal(a)) return;
    e.preventDefault();
    setError('');
    try {
      const next = await fresh(a);
      if (next.url) saveUrl(next.url, next.name);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <div className="atts" role="group" aria-label={t('msg.attachments')}>
      {images.length > 0 && (
        <div className="att-images">
          {images.map((a, i) => {
            const size = thumbSize(a);
            return (
              <button key={a.id} type="button" className="att-thumb" aria-label={t('files.open', { name: a.name })} onClick={() => setOpen(i)}>
                <img src={a.thumbnail_url || a.url} alt={a.name} width={size.width} height={size.height} loading="lazy" onError={() => broken(a)} />
              </button>
            );
          })}
        </div>
      )}
      {files.map((a) => (
        <div key={a.id} className="att-file" data-testid="file-card">
          <span className="att-file-icon">
            <Icon name={fileIcon(a)} size={22} />
          </span>
          <span className="att-file-text">
            <span className="att-file-name">{a.name}</span>
            <span className="att-file-meta">
              {fileTypeLabel(a.content_type, a.name)} · {formatSize(a.size)}
            </span>
          </span>
          <a className="btn btn-secondary btn-small att-download" href={a.url ?? '#'} download={a.name} aria-label={t('files.downloadLabel', { name: a.name })} onClick={(e) => void download(e, a)}>
            {t('files.download')}
          </a>
        </div>
      ))}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {open !== null && images[open] && (
        <Lightbox images={images} index={open} onIndex={setOpen} onClose={() => setOpen(null)} fresh={fresh} />
      )}
    </div>
  );
}

function fileIcon(a: Attachment): IconName {
  return a.kind === 'archive' ? 'archive' : a.kind === 'media' ? 'film' : 'file';
}

/** saveUrl downloads a same-origin URL under a file name. */
function saveUrl(url: string, name: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/**
 * Lightbox shows one image full size in a modal dialog: Esc or Close shuts
 * it and focus goes back to the thumbnail; ← and → move between the
 * message's images. An expired URL is renewed before it is shown.
 */
export function Lightbox({
  images,
  index,
  onIndex,
  onClose,
  fresh,
}: {
  images: Attachment[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  fresh: (a: Attachment) => Promise<Attachment>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const back = useRef<Element | null>(null);
  const a = images[index];
  const [shown, setShown] = useState<{ id: string; url?: string; error?: string }>({ id: '' });

  useEffect(() => {
    back.current = document.activeElement;
    const d = ref.current;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    return () => {
      if (back.current instanceof HTMLElement) back.current.focus();
    };
  }, []);

  useEffect(() => {
    let live = true;
    setShown({ id: a.id });
    fresh(a).then(
      (next) => live && setShown({ id: a.id, url: next.url }),
      (err) => live && setShown({ id: a.id, error: errorMessage(err) || t('files.renewFailed') }),
    );
    return () => {
      live = false;
    };
  }, [a.id]); // eslint-disable-line react-hooks/exhaustive-deps

  const many = images.length > 1;
  const go = (d: number) => onIndex((index + d + images.length) % images.length);
  return (
    <dialog
      ref={ref}
      className="lightbox"
      aria-label={t('files.image', { name: a.name })}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        if (!many) return;
        if (e.key === 'ArrowRight') go(1);
        else if (e.key === 'ArrowLeft') go(-1);
      }}
    >
      <div className="lightbox-bar">
        <span className="lightbox-name">{a.name}</span>
        <span className="lightbox-meta">
          {a.image ? `${a.image.width} × ${a.image.height} · ` : ''}
          {formatSize(a.size)}
          {many ? ` · ${t('files.lightbox.count', { n: index + 1, total: images.length })}` : ''}
        </span>
        {shown.url && (
          <a className="btn btn-secondary btn-small" href={shown.url} download={a.name}>
            {t('files.download')}
          </a>
        )}
        <Button small variant="primary" onClick={onClose} autoFocus>
          {t('common.close')}
        </Button>
      </div>
      <div className="lightbox-stage">
        {many && (
          <button type="button" className="lightbox-nav lightbox-prev" aria-label={t('files.lightbox.prev')} onClick={() => go(-1)}>
            ‹
          </button>
        )}
        {shown.id === a.id && shown.url ? (
          <img className="lightbox-img" src={shown.url} alt={a.name} />
        ) : shown.id === a.id && shown.error ? (
          <p className="field-error" role="alert">
            {shown.error}
          </p>
        ) : (
          <Spinner />
        )}
        {many && (
          <button type="button" className="lightbox-nav lightbox-next" aria-label={t('files.lightbox.next')} onClick={() => go(1)}>
            ›
          </button>
        )}
      </div>
    </dialog>
  );
}
