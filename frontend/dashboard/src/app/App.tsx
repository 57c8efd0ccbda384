import { useEffect, type ComponentType } from 'react';
import { Layout } from '../components/Layout';
import { Spinner, ToastProvider } from '../components/ui';
import { t } from '../i18n';
import { InboxProvider } from '../inbox/store';
import { match, navigate, useLocation } from '../lib/router';
import { AcceptInvite } from '../pages/auth/AcceptInvite';
import { ConfirmEmail } from '../pages/auth/ConfirmEmail';
import { ForgotPassword } from '../pages/auth/ForgotPassword';
import { Login } from '../pages/auth/Login';
import { ResetPassword } from '../pages/auth/ResetPassword';
import { Signup } from '../pages/auth/Signup';
import { Bots } from '../pages/bots/Bots';
import { Billing } from '../pages/billing/Billing';
import { Goodbye } from '../pages/data/Goodbye';
import { GettingStarted } from '../pages/GettingStarted';
import { Inbox } from '../pages/inbox/Inbox';
import { NotFound } from '../pages/NotFound';
import { Reports } from '../pages/reports/Reports';
import { Settings } from '../pages/settings/Settings';
import { isAdmin, session, useSession } from './session';

const PUBLIC = ['/login', '/signup', '/accept-invite', '/forgot-password', '/reset-password', '/confirm-email', '/goodbye'];

// Pages of links sent by email: they work signed in or not.
const LINK_PAGES: Record<string, ComponentType> = {
  '/accept-invite': AcceptInvite,
  '/reset-password': ResetPassword,
  '/confirm-email': ConfirmEmail,
};

export function App() {
  const s = useSession();
  const { path, search } = useLocation();

  useEffect(() => {
    if (s.status === 'signedOut' && !PUBLIC.includes(path)) {
      const next = path === '/' || path === '/logout' ? '' : `?next=${encodeURIComponent(path + (search.toString() ? `?${search}` : ''))}`;
      navigate(`/login${next}`, { replace: true });
    }
    if (s.status === 'signedIn' && (path === '/login' || path === '/signup' || path === '/forgot-password')) navigate('/inbox', { replace: true });
    if (s.status === 'signedIn' && path === '/') navigate('/inbox', { replace: true });
    if (s.status === 'signedIn' && path === '/settings') navigate(isAdmin(s) ? '/settings/widget' : '/settings/profile', { replace: true });
    if (s.status === 'signedIn' && path === '/logout') void session.logout();
  }, [s, path, search]);

  // After closing the workspace: shown while the tab signs out, and after.
  if (path === '/goodbye') return <Goodbye />;
  const LinkPage = LINK_PAGES[path];
  if (LinkPage && s.status !== 'loading') return <ToastProvider><LinkPage /></ToastProvider>;
  if (s.status === 'loading') {
    return (
      <div className="splash">
        <Spinner />
      </div>
    );
  }
  if (s.status === 'signedOut') {
    return <ToastProvider>{path === '/signup' ? <Signup /> : path === '/forgot-password' ? <ForgotPassword /> : <Login />}</ToastProvider>;
  }
  if (path === '/logout') {
    return (
      <div className="splash">
        <Spinner label={t('auth.logout.working')} />
      </div>
    );
  }
  return (
    <ToastProvider>
      <InboxProvider>
        <Layout>
          <Routes path={path} />
        </Layout>
      </InboxProvider>
    </ToastProvider>
  );
}

function Routes({ path }: { path: string }) {
  if (path === '/inbox') return <Inbox id={null} />;
  let m = match('/inbox/:id', path);
  if (m) return <Inbox id={m.id} />;
  if (path === '/getting-started') return <GettingStarted />;
  if (path === '/bots') return <Bots />;
  if (path === '/reports') return <Reports />;
  if (path === '/billing') return <Billing />;
  m = match('/settings/:section', path);
  if (m) return <Settings section={m.section} />;
  if (path === '/' || path === '/settings' || path === '/login' || path === '/signup' || path === '/forgot-password') return <Spinner />;
  return <NotFound />;
}
