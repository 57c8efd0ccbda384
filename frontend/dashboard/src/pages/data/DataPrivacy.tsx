import { PageHeader } from '../../components/ui';
import { t } from '../../i18n';
import { CloseWorkspace } from './CloseWorkspace';
import { ExportSection } from './Export';
import { ImportSection } from './Import';
import { RetentionSection } from './Retention';
import './data.css';

/** DataPrivacySection is Settings → Data & privacy (owners and admins). */
export function DataPrivacySection({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} lead={t('data.lead')} />
      <ExportSection />
      <ImportSection />
      <RetentionSection />
      <CloseWorkspace />
    </>
  );
}
