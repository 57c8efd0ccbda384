// The visitor's rating of a conversation (issue 12): stars or a thumb, with
// the comment in the tag's title (the list) or in a disclosure (the header).
import type { Rating } from '../../api/types';
import { t } from '../../i18n';

function score(r: Rating): { mark: string; text: string } {
  if (r.scale === 'thumbs') return r.score >= 4 ? { mark: '👍', text: t('reports.ratingUp') } : { mark: '👎', text: t('reports.ratingDown') };
  return { mark: `★ ${r.score}`, text: t('reports.rating', { score: r.score }) };
}

/** RatingTag is the list item's compact badge; the comment shows on hover. */
export function RatingTag({ rating }: { rating: Rating }) {
  const s = score(rating);
  return (
    <span className="tag tag-rating" title={rating.comment ? `${s.text}: ${rating.comment}` : s.text} aria-label={rating.comment ? `${s.text}: ${rating.comment}` : s.text}>
      <span aria-hidden="true">{s.mark}</span>
    </span>
  );
}

/** RatingDetail is the conversation header's rating; the comment opens below it. */
export function RatingDetail({ rating }: { rating: Rating }) {
  const s = score(rating);
  if (!rating.comment) {
    return (
      <span className="tag tag-rating" data-rating={rating.score}>
        <span aria-hidden="true">{s.mark}</span> <span className="sr-only">{s.text}</span>
      </span>
    );
  }
  return (
    <details className="rating-detail" data-rating={rating.score}>
      <summary className="tag tag-rating">
        <span aria-hidden="true">{s.mark}</span> <span className="sr-only">{s.text}</span>
      </summary>
      <q className="rating-comment">{rating.comment}</q>
    </details>
  );
}
