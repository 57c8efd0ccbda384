import { usePageTitle } from '../app/title';
import { EmptyState } from '../components/ui';
import { t } from '../i18n';
import { Link } from '../lib/router';

export function NotFound() {
  usePageTitle(t('notFound.title'));
  return (
    <div className="page">
      <EmptyState icon="🧭" title={t('notFound.title')} action={<Link className="btn btn-primary" href="/inbox">{t('notFound.home')}</Link>}>
        <p>{t('notFound.lead')}</p>
      </EmptyState>
    </div>
  );
}
