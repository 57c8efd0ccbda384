import { api } from '../../api/endpoints';
import type { Settings as SettingsT } from '../../api/types';
import { isAdmin, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { t, type MessageKey } from '../../i18n';
import { useAsync, type Async } from '../../lib/hooks';
import { Link } from '../../lib/router';
import { NotFound } from '../NotFound';
import { AuditLogSection } from '../data/AuditLog';
import { DataPrivacySection } from '../data/DataPrivacy';
import { BusinessHoursSection } from './BusinessHours';
import { CannedSection } from './Canned';
import { InstallationSection } from './Installation';
import { ProfileSection } from './Profile';
import { RoutingSection } from './Routing';
import { TeamSection } from './Team';
import { WidgetSection } from './Widget';
import { FilesSection } from './Files';

const SECTIONS: { id: string; label: MessageKey; admin: boolean }[] = [
  { id: 'widget', label: 'settings.widget', admin: true },
  { id: 'installation', label: 'settings.installation', admin: true },
  { id: 'hours', label: 'settings.hours', admin: true },
  { id: 'team', label: 'settings.team', admin: true },
  { id: 'canned', label: 'settings.canned', admin: true },
  { id: 'routing', label: 'settings.routing', admin: true },
  { id: 'files', label: 'settings.files', admin: true },
  { id: 'data', label: 'settings.data', admin: true },
  { id: 'audit', label: 'settings.audit', admin: true },
  { id: 'profile', label: 'settings.profile', admin: false },
];

export function Settings({ section }: { section: string }) {
  const s = useSession();
  const admin = isAdmin(s);
  const def = SECTIONS.find((x) => x.id === section);
  usePageTitle(def ? `${t(def.label)} · ${t('settings.title')}` : t('settings.title'));
  if (!def) return <NotFound />;
  const visible = SECTIONS.filter((x) => admin || !x.admin);
  return (
    <div className="page settings">
      <nav className="settings-nav" aria-label={t('settings.nav')}>
        <h1 className="settings-title">{admin ? t('settings.title') : t('nav.profile')}</h1>
        {visible.length > 1 && (
          <ul>
            {visible.map((x) => (
              <li key={x.id}>
                <Link href={`/settings/${x.id}`} className={x.id === section ? 'active' : ''} aria-current={x.id === section ? 'page' : undefined}>
                  {t(x.label)}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </nav>
      <div className="settings-body">
        {def.admin && !admin ? (
          <EmptyState icon="🔒" title={t('settings.forbidden.title')} action={<Link className="btn btn-primary" href="/settings/profile">{t('settings.forbidden.profile')}</Link>}>
            <p>{t('settings.forbidden.lead')}</p>
          </EmptyState>
        ) : (
          <Section id={def.id} title={t(def.label)} />
        )}
      </div>
    </div>
  );
}

function Section({ id, title }: { id: string; title: string }) {
  switch (id) {
    case 'team':
      return <TeamSection title={title} />;
    case 'canned':
      return <CannedSection title={title} />;
    case 'profile':
      return <ProfileSection title={title} />;
    case 'data':
      return <DataPrivacySection title={title} />;
    case 'audit':
      return <AuditLogSection title={title} />;
    default:
      return <WithSettings id={id} title={title} />;
  }
}

export interface SettingsProps {
  title: string;
  settings: SettingsT;
  onSaved: (s: SettingsT) => void;
}

function WithSettings({ id, title }: { id: string; title: string }) {
  const st: Async<SettingsT> = useAsync(() => api.settings(), []);
  if (st.loading && !st.data) return <Spinner />;
  if (st.error || !st.data) return <ErrorState error={st.error} onRetry={st.reload} />;
  const props: SettingsProps = { title, settings: st.data, onSaved: (s) => st.setData(s) };
  switch (id) {
    case 'widget':
      return <WidgetSection {...props} />;
    case 'installation':
      return <InstallationSection {...props} />;
    case 'hours':
      return <BusinessHoursSection {...props} />;
    case 'files':
      return <FilesSection {...props} />;
    default:
      return <RoutingSection {...props} />;
  }
}
