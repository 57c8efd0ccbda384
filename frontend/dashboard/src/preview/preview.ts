// The widget preview page (/preview?key=<widget_key>): a stand-in for the
// customer's website that loads the tenant's real widget, so an owner can
// send a test message and answer it from the inbox. The widget key is public
// (it is in every customer page), so it may sit in the URL.
import { t } from '../i18n';
import '../styles/preview.css';

const root = document.getElementById('preview')!;
const key = new URLSearchParams(location.search).get('key') ?? '';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const header = el('header', '', 'pv-header');
header.append(el('span', '', 'pv-logo'), el('strong', t('preview.title')));
root.append(header);
const hero = el('section', '', 'pv-hero');
hero.append(el('h1', t('preview.title')), el('p', t('preview.lead')));
root.append(hero);
const grid = el('section', '', 'pv-grid');
for (let i = 0; i < 3; i++) grid.append(el('div', '', 'pv-tile'));
root.append(grid);

if (!/^[A-Za-z0-9_-]{1,100}$/.test(key)) {
  hero.append(el('p', t('preview.missingKey'), 'pv-error'));
} else {
  const s = document.createElement('script');
  s.async = true;
  s.src = `/widget/${encodeURIComponent(key)}.js`;
  s.onerror = () => hero.append(el('p', t('preview.loadFailed'), 'pv-error'));
  s.onload = () => {
    // Open the panel so the owner can type right away.
    const P = (window as unknown as { Parley?: (cmd: string) => void }).Parley;
    if (typeof P === 'function') P('open');
    // The loader draws nothing on a site outside the allowed domains: say why.
    setTimeout(() => {
      if (!document.querySelector('[data-parley]')) hero.append(el('p', t('preview.loadFailed'), 'pv-error'));
    }, 1500);
  };
  document.body.append(s);
}
