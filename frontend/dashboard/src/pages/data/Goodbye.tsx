import { usePageTitle } from '../../app/title';
import { t } from '../../i18n';
import { Link } from '../../lib/router';
import { AuthLayout } from '../auth/AuthLayout';

/** Goodbye is where the owner lands after closing the workspace (signed out). */
export function Goodbye() {
  usePageTitle(t('goodbye.title'));
  return (
    <AuthLayout title={t('goodbye.title')} lead={t('goodbye.body')}>
      <Link className="btn btn-primary" href="/signup">
        {t('goodbye.again')}
      </Link>
    </AuthLayout>
  );
}
