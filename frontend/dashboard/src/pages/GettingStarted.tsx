import { useState } from 'react';
import { botApi } from '../api/bot';
import { api } from '../api/endpoints';
import { isAdmin, useSession } from '../app/session';
import { usePageTitle } from '../app/title';
import { Alert, Button, CopyButton, ErrorState, PageHeader } from '../components/ui';
import { t, type MessageKey } from '../i18n';
import { useAsync } from '../lib/hooks';
import { Link } from '../lib/router';

/** widgetSnippet is the one line a customer pastes into their site. */
export function widgetSnippet(origin: string, widgetKey: string): string {
  return `<script async src="${origin}/widget/${encodeURIComponent(widgetKey)}.js"></script>`;
}

export function previewUrl(widgetKey: string): string {
  return `/preview?key=${encodeURIComponent(widgetKey)}`;
}

interface Progress {
  install: boolean;
  invite: boolean;
  hours: boolean;
  bot: boolean;
}

async function loadProgress(admin: boolean): Promise<Progress> {
  const [convs, members, invites, settings, bot] = await Promise.all([
    api.conversations({ limit: 1, status: undefined }),
    api.members(),
    admin ? api.invites() : Promise.resolve(undefined),
    admin ? api.settings() : Promise.resolve(undefined),
    admin ? botApi.get() : Promise.resolve(undefined),
  ]);
  return {
    install: (convs?.conversations?.length ?? 0) > 0,
    invite: (members?.length ?? 0) > 1 || (invites?.length ?? 0) > 0,
    hours: !!settings?.business_hours?.enabled,
    bot: !!bot?.enabled,
  };
}

export function GettingStarted() {
  usePageTitle(t('start.title'));
  const s = useSession();
  const admin = isAdmin(s);
  const key = s.tenant?.widget_key ?? '';
  const snippet = widgetSnippet(location.origin, key);
  const progress = useAsync(() => loadProgress(admin), [admin]);
  const [opened, setOpened] = useState(false);
  const p = progress.data;
  const items: { id: keyof Progress; label: MessageKey; hint: MessageKey; href: string }[] = [
    { id: 'install', label: 'start.item.install', hint: 'start.item.install.hint', href: admin ? '/settings/installation' : '/getting-started' },
    { id: 'invite', label: 'start.item.invite', hint: 'start.item.invite.hint', href: '/settings/team' },
    { id: 'hours', label: 'start.item.hours', hint: 'start.item.hours.hint', href: '/settings/hours' },
    { id: 'bot', label: 'start.item.bot', hint: 'start.item.bot.hint', href: '/bots' },
  ];
  const done = p ? items.filter((i) => p[i.id]).length : 0;
  const openPreview = () => {
    window.open(previewUrl(key), '_blank', 'noopener');
    setOpened(true);
  };
  return (
    <div className="page page-narrow">
      <PageHeader title={t('start.title')} lead={t('start.lead', { name: s.user?.name?.split(' ')[0] ?? '' })}>
        <Link className="btn btn-secondary" href="/inbox">
          {t('start.goInbox')}
        </Link>
      </PageHeader>

      <section className="card" aria-labelledby="snippet-title">
        <div className="step-number" aria-hidden="true">1</div>
        <h2 id="snippet-title">{t('start.snippet.title')}</h2>
        <p>{t('start.snippet.lead')}</p>
        <div className="snippet">
          <label className="sr-only" htmlFor="widget-snippet">
            {t('start.snippet.label')}
          </label>
          <textarea id="widget-snippet" readOnly rows={2} value={snippet} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
          <CopyButton text={snippet} label={t('start.snippet.copy')} variant="primary" />
        </div>
      </section>

      <section className="card" aria-labelledby="test-title">
        <div className="step-number" aria-hidden="true">2</div>
        <h2 id="test-title">{t('start.test.title')}</h2>
        <p>{t('start.test.lead')}</p>
        <Button variant="primary" onClick={openPreview}>
          {t('start.test.button')} <span aria-hidden="true">↗</span>
        </Button>
        {opened && <Alert kind="info">{t('start.test.opened')}</Alert>}
      </section>

      <section className="card" aria-labelledby="checklist-title">
        <div className="step-number" aria-hidden="true">3</div>
        <h2 id="checklist-title">{t('start.checklist.title')}</h2>
        {progress.error !== undefined && <ErrorState error={progress.error} onRetry={progress.reload} />}
        {progress.error === undefined && <p className="muted">{p ? t('start.checklist.progress', { done, total: items.length }) : t('app.loading')}</p>}
        <div className="progress" role="progressbar" aria-label={t('start.checklist.title')} aria-valuemin={0} aria-valuemax={items.length} aria-valuenow={done}>
          <span className="progress-bar" style={{ width: `${(done / items.length) * 100}%` }} />
        </div>
        <ul className="checklist">
          {items.map((it) => {
            const ok = !!p?.[it.id];
            return (
              <li key={it.id} className={ok ? 'checklist-done' : ''}>
                <span className={`check${ok ? ' check-on' : ''}`} aria-hidden="true">
                  {ok ? '✓' : ''}
                </span>
                <span className="checklist-text">
                  <span className="checklist-label">{t(it.label)}</span>
                  <span className="sr-only">: {ok ? t('start.item.done') : t('start.item.todo')}</span>
                  <span className="field-hint">{t(it.hint)}</span>
                </span>
                {!ok && (admin || it.id === 'bot') && it.href !== '/getting-started' && (
                  <Link className="btn btn-secondary btn-small" href={it.href} aria-label={`${t('start.item.go')}: ${t(it.label)}`}>
                    {t('start.item.go')}
                  </Link>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
