import type { ReactNode } from 'react';
import { t } from '../../i18n';

export function AuthLayout({ title, lead, children, footer }: { title: string; lead?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="auth">
      <main className="auth-main" id="main">
        <div className="auth-card">
          <div className="brand auth-brand">
            <span className="brand-mark" aria-hidden="true" />
            {t('app.name')}
          </div>
          <h1>{title}</h1>
          {lead && <p className="lead">{lead}</p>}
          {children}
          {footer && <div className="auth-footer">{footer}</div>}
        </div>
      </main>
      <aside className="auth-side" aria-label={t('auth.side.title')}>
        <div>
          <h2>{t('auth.side.title')}</h2>
          <ul>
            <li>{t('auth.side.point1')}</li>
            <li>{t('auth.side.point2')}</li>
            <li>{t('auth.side.point3')}</li>
          </ul>
          <div className="auth-side-chat" aria-hidden="true">
            <div className="bubble bubble-visitor">Hi! Do you ship to Canada?</div>
            <div className="bubble bubble-agent">We do — 3 to 5 days, free over $50. 📦</div>
          </div>
        </div>
      </aside>
    </div>
  );
}

/** safeNext keeps a post-login redirect on this site ("/inbox", never "//evil" or "https://…"). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/inbox';
  if (next.startsWith('/login') || next.startsWith('/signup') || next.startsWith('/logout')) return '/inbox';
  return next;
}
