import type { Message } from '../../api/types';
import { LinkedText } from '../../components/LinkedText';
import { t } from '../../i18n';
import { card, quickReplies } from '../../inbox/rich';
import { safeHttpUrl } from '../../lib/format';

/**
 * RichPayload shows a bot's quick replies or card to the agent, read-only:
 * every string is a React text node, links only for http(s) URLs, and no
 * image is loaded (the URL is shown as a link instead).
 */
export function RichPayload({ m }: { m: Message }) {
  if (m.kind === 'quick_replies') {
    const q = quickReplies(m.payload);
    if (!q) return null;
    return (
      <>
        {q.text && q.text !== m.body && <p className="msg-body"><LinkedText text={q.text} /></p>}
        {q.options.length > 0 && (
          <ul className="chips" aria-label={t('conv.options')}>
            {q.options.map((o, i) => (
              <li key={i} className="chip" title={o.value !== o.label ? o.value : undefined}>
                {o.label}
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  if (m.kind === 'card') {
    const c = card(m.payload);
    if (!c) return null;
    const img = safeHttpUrl(c.imageUrl);
    return (
      <div className="card-msg">
        {c.title && <strong className="card-msg-title">{c.title}</strong>}
        {c.text && c.text !== m.body && <p className="msg-body"><LinkedText text={c.text} /></p>}
        {img && (
          <a className="card-msg-img" href={img} target="_blank" rel="noopener noreferrer nofollow">
            {t('conv.cardImage')}
          </a>
        )}
        {c.buttons.length > 0 && (
          <ul className="chips" aria-label={t('conv.options')}>
            {c.buttons.map((b, i) => {
              const href = safeHttpUrl(b.url);
              return (
                <li key={i} className="chip">
                  {href ? (
                    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                      {b.label}
                    </a>
                  ) : (
                    b.label
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    );
  }
  return null;
}
