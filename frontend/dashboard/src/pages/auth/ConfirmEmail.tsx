import { useEffect, useState } from 'react';
import { accountApi } from '../../api/account';
import { session, useSession } from '../../app/session';
import { usePageTitle } from '../../app/title';
import { Alert, Spinner } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { takeLinkToken } from '../../lib/linkToken';
import { Link } from '../../lib/router';
import { AuthLayout } from './AuthLayout';

type State = { state: 'working' } | { state: 'done'; email: string } | { state: 'failed'; message: string };

/** ConfirmEmail spends the link sent to a member's new address, signed in or not. */
export function ConfirmEmail() {
  usePageTitle(t('auth.confirm.title'));
  const s = useSession();
  const [token] = useState(takeLinkToken);
  const [st, setSt] = useState<State>(token ? { state: 'working' } : { state: 'failed', message: t('auth.confirm.missing') });
  useEffect(() => {
    if (!token) return;
    let live = true;
    accountApi.confirmEmail(token).then(
      (user) => {
        if (!live) return;
        if (session.state.user?.id === user.id) session.update({ user });
        setSt({ state: 'done', email: user.email });
      },
      (err) => live && setSt({ state: 'failed', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [token]);
  const signedIn = s.status === 'signedIn';
  return (
    <AuthLayout title={t('auth.confirm.title')}>
      {st.state === 'working' && <Spinner label={t('auth.confirm.working')} />}
      {st.state === 'done' && (
        <>
          <Alert kind="success">{t('auth.confirm.done', { email: st.email })}</Alert>
          <Link className="btn btn-primary btn-block" href={signedIn ? '/settings/profile' : '/login'}>
            {signedIn ? t('auth.confirm.continue') : t('auth.login.submit')}
          </Link>
        </>
      )}
      {st.state === 'failed' && (
        <>
          <Alert>{st.message}</Alert>
          <p>
            <Link href={signedIn ? '/settings/profile' : '/login'}>{t('auth.confirm.askAgain')}</Link>
          </p>
        </>
      )}
    </AuthLayout>
  );
}
