import { useEffect, useState, type ReactNode } from 'react';
import { isAdmin, session, useSession } from '../app/session';
import { QuotaBanner } from '../pages/billing/Billing';
import { t } from '../i18n';
import { useInbox } from '../inbox/store';
import { unreadTotal } from '../inbox/state';
import { Link, useLocation } from '../lib/router';
import { Avatar } from './ui';
import { DesktopPrompt } from './DesktopPrompt';
import { Icon, type IconName } from './Icon';

interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  badge?: number;
  match: (p: string) => boolean;
}

export function Layout({ children }: { children: ReactNode }) {
  const s = useSession();
  const { path } = useLocation();
  const inbox = useInbox();
  const [menu, setMenu] = useState(false);
  useEffect(() => setMenu(false), [path]);
  const unread = unreadTotal(inbox.state.byId, s.user?.id);
  const admin = isAdmin(s);
  const items: NavItem[] = [
    { href: '/inbox', label: t('nav.inbox'), icon: 'inbox', badge: unread, match: (p) => p.startsWith('/inbox') },
    { href: '/getting-started', label: t('nav.gettingStarted'), icon: 'rocket', match: (p) => p === '/getting-started' },
    { href: '/reports', label: t('nav.reports'), icon: 'chart', match: (p) => p === '/reports' },
    { href: '/bots', label: t('nav.bots'), icon: 'bot', match: (p) => p.startsWith('/bots') },
    { href: '/billing', label: t('nav.billing'), icon: 'card', match: (p) => p.startsWith('/billing') },
    admin
      ? { href: '/settings', label: t('nav.settings'), icon: 'gear', match: (p) => p.startsWith('/settings') && p !== '/settings/profile' }
      : { href: '/settings/profile', label: t('nav.profile'), icon: 'user', match: (p) => p.startsWith('/settings') },
  ];
  return (
    <div className={`shell${menu ? ' shell-menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <button type="button" className="btn btn-ghost topbar-menu" aria-expanded={menu} aria-controls="sidenav" onClick={() => setMenu(!menu)}>
          <Icon name="menu" /> {t('nav.menu')}
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          {t('app.name')}
        </span>
        {unread > 0 && (
          <Link className="badge badge-count" href="/inbox" aria-label={`${t('nav.inbox')}: ${unread}`}>
            {unread}
          </Link>
        )}
      </header>
      <nav className="sidenav" id="sidenav" aria-label={t('nav.main')}>
        <div className="brand sidenav-brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>
            {t('app.name')}
            <span className="brand-tenant">{s.tenant?.name}</span>
          </span>
        </div>
        <ul>
          {items.map((it) => {
            const current = it.match(path);
            return (
              <li key={it.href}>
                <Link href={it.href} className={`navlink${current ? ' active' : ''}`} aria-current={current ? 'page' : undefined}>
                  <span className="navicon" aria-hidden="true">
                    <Icon name={it.icon} />
                  </span>
                  <span className="navlabel">{it.label}</span>
                  {it.badge ? (
                    <span className="badge badge-count" aria-label={`${it.badge}`}>
                      {it.badge > 99 ? '99+' : it.badge}
                    </span>
                  ) : null}
                </Link>
              </li>
            );
          })}
        </ul>
        <div className="sidenav-footer">
          {inbox.socket === 'blocked' ? (
            <p className="conn-status conn-blocked" role="status">
              <span className="dot dot-warn" aria-hidden="true" /> {t('nav.connection.blocked', { origin: location.origin })}
            </p>
          ) : (
            inbox.socket !== 'open' && (
              <p className="conn-status" role="status">
                <span className="dot dot-warn" aria-hidden="true" /> {t('nav.connection.offline')}
              </p>
            )
          )}
          <div className="account">
            <Avatar name={s.user?.name ?? '?'} seed={s.user?.id ?? ''} size={32} src={s.user?.avatar_url} />
            <span className="account-text">
              <span className="account-name">{s.user?.name}</span>
              <span className="account-role">{s.user ? t(`team.role.${s.user.role}`) : ''}</span>
            </span>
          </div>
          <button type="button" className="btn btn-ghost btn-block" onClick={() => void session.logout()}>
            {t('nav.logout')}
          </button>
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <QuotaBanner />
        <DesktopPrompt />
        {children}
      </main>
    </div>
  );
}
