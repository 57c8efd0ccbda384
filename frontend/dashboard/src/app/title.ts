import { useEffect } from 'react';
import { t } from '../i18n';

// The tab title is "(unread) Page · Parley": pages set the page part, the
// inbox store sets the count.
let page = '';
let unread = 0;

function apply() {
  if (typeof document === 'undefined') return;
  document.title = titleText(page, unread);
}

export function titleText(pageName: string, count: number): string {
  const p = pageName || t('app.name');
  if (!pageName) return count > 0 ? `(${count}) ${t('app.name')}` : t('app.name');
  return count > 0 ? t('app.titleUnread', { count, page: p }) : t('app.title', { page: p });
}

export function setUnreadInTitle(n: number): void {
  unread = n;
  apply();
}

export function usePageTitle(name: string): void {
  useEffect(() => {
    page = name;
    apply();
  }, [name]);
}
