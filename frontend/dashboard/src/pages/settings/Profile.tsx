import { useSession } from '../../app/session';
import { Alert, PageHeader, Switch } from '../../components/ui';
import { t } from '../../i18n';
import { useInbox } from '../../inbox/store';

// There is no profile or password endpoint in the API yet, so the profile
// is read-only and says so (see the README's list of missing endpoints).
export function ProfileSection({ title }: { title: string }) {
  const s = useSession();
  const { sound, setSound } = useInbox();
  return (
    <>
      <PageHeader title={title} lead={t('profile.lead')} />
      <section className="card">
        <dl className="facts facts-wide">
          <dt>{t('profile.name')}</dt>
          <dd>{s.user?.name}</dd>
          <dt>{t('profile.email')}</dt>
          <dd>{s.user?.email}</dd>
          <dt>{t('profile.role')}</dt>
          <dd>{s.user ? t(`team.role.${s.user.role}`) : ''}</dd>
          <dt>{t('profile.workspace')}</dt>
          <dd>{s.tenant?.name}</dd>
        </dl>
        <Alert kind="info">{t('profile.readOnly')}</Alert>
      </section>
      <section className="card">
        <Switch label={t('profile.sound')} checked={sound} onChange={setSound} />
      </section>
    </>
  );
}
