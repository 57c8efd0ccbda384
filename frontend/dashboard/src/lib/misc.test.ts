import { describe, expect, it } from 'vitest';
import { titleText } from '../app/title';
import { backoffMs } from '../realtime/socket';
import { takeLinkToken } from './linkToken';
import { safeNext } from '../pages/auth/AuthLayout';
import { previewUrl, widgetSnippet } from '../pages/GettingStarted';
import { snoozePresets, lastSeenAgentSeq } from '../pages/inbox/ConversationView';
import { domainOrigins, groupDomains, normalizeDomainInput } from '../pages/settings/Installation';
import { badRanges } from '../components/WeeklyEditor';
import { defaultHours } from '../pages/settings/BusinessHours';
import { contrastText } from '../pages/settings/Widget';
import { browserName, safeHttpUrl } from './format';
import type { Message } from '../api/types';

describe('tab title', () => {
  it('shows the unread count', () => {
    expect(titleText('Inbox', 0)).toBe('Inbox · Parley');
    expect(titleText('Inbox', 3)).toBe('(3) Inbox · Parley');
  });
});

describe('invite link', () => {
  it('reads the token from the fragment and removes it from the address bar', () => {
    history.replaceState(null, '', '/accept-invite#tok_abc%2B1');
    expect(takeLinkToken()).toBe('tok_abc+1');
    expect(location.hash).toBe('');
    expect(location.pathname).toBe('/accept-invite');
  });
});

describe('redirects', () => {
  it('only follows same-site paths after login', () => {
    expect(safeNext('/inbox/c1')).toBe('/inbox/c1');
    expect(safeNext('//evil.example')).toBe('/inbox');
    expect(safeNext('https://evil.example')).toBe('/inbox');
    expect(safeNext('/\\evil.example')).toBe('/inbox');
    expect(safeNext(null)).toBe('/inbox');
  });
});

describe('snippet', () => {
  it('is one async script tag from this origin', () => {
    expect(widgetSnippet('https://chat.example.com', 'wk_AbC')).toBe('<script async src="https://chat.example.com/widget/wk_AbC.js"></script>');
    expect(previewUrl('wk 1')).toBe('/preview?key=wk%201');
  });
});

describe('visitor data is shown safely', () => {
  it('links only http(s) pages', () => {
    expect(safeHttpUrl('https://shop.example/cart')).toBe('https://shop.example/cart');
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('data:text/html,<script>')).toBeUndefined();
    expect(safeHttpUrl('not a url')).toBeUndefined();
  });
  it('names browsers', () => {
    expect(browserName('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36')).toBe('Chrome 126 on macOS');
    expect(browserName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')).toBe('Safari 17 on iOS');
    expect(browserName('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0')).toBe('Firefox 127 on Windows');
  });
});

describe('settings helpers', () => {
  it('normalises pasted domains', () => {
    expect(normalizeDomainInput(' https://Shop.Example.com/page?x=1 ')).toBe('https://shop.example.com');
    expect(normalizeDomainInput('Shop.Example.com/page')).toBe('shop.example.com');
    expect(normalizeDomainInput('http://localhost:3000/')).toBe('http://localhost:3000');
    expect(normalizeDomainInput('*.example.com')).toBe('*.example.com');
  });
  it('shows what a domain allows: a bare host is the site on http and https', () => {
    expect(domainOrigins('shop.example.com')).toEqual(['http://shop.example.com', 'https://shop.example.com']);
    expect(domainOrigins('https://shop.example.com')).toEqual(['https://shop.example.com']);
    expect(groupDomains(['http://shop.example.com', 'https://shop.example.com', 'http://localhost:3000', 'https://*.acme.io'])).toEqual([
      { label: 'shop.example.com', origins: ['http://shop.example.com', 'https://shop.example.com'] },
      { label: 'http://localhost:3000', origins: ['http://localhost:3000'] },
      { label: 'https://*.acme.io', origins: ['https://*.acme.io'] },
    ]);
  });
  it('picks readable text on the brand colour', () => {
    expect(contrastText('#4f46e5')).toBe('#ffffff');
    expect(contrastText('#fde047')).toBe('#111827');
  });
  it('flags hours that close before they open', () => {
    const h = defaultHours();
    expect(badRanges(h.weekly).size).toBe(0);
    h.weekly!.mon = [{ open: '17:00', close: '09:00' }];
    expect([...badRanges(h.weekly)]).toEqual(['mon.0']);
  });
});

describe('conversation helpers', () => {
  it('offers snooze presets in the future', () => {
    const now = new Date(2025, 0, 8, 15, 0); // a Wednesday
    const [hour, tomorrow, monday] = snoozePresets(now);
    expect(hour.at.getTime() - now.getTime()).toBe(3600_000);
    expect(tomorrow.at).toEqual(new Date(2025, 0, 9, 9, 0));
    expect(monday.at).toEqual(new Date(2025, 0, 13, 9, 0));
  });
  it('marks the last agent message the visitor has read', () => {
    const m = (seq: number, type: 'visitor' | 'agent', priv = false) => ({ seq, author: { type }, private: priv }) as Message;
    const list = [m(1, 'visitor'), m(2, 'agent'), m(3, 'agent', true), m(4, 'agent')];
    expect(lastSeenAgentSeq(list, 3)).toBe(2);
    expect(lastSeenAgentSeq(list, 4)).toBe(4);
    expect(lastSeenAgentSeq(list, 1)).toBe(0);
  });
  it('backs off reconnects up to 30 s', () => {
    expect(backoffMs(1, () => 0.5)).toBe(1000);
    expect(backoffMs(3, () => 0.5)).toBe(4000);
    expect(backoffMs(20, () => 0.5)).toBe(30_000);
  });
});

describe('list filters on the wire', async () => {
  const { assigneeParam } = await import('../inbox/store');
  it('sends "me" for mine', () => {
    expect(assigneeParam('mine')).toBe('me');
    expect(assigneeParam('unassigned')).toBe('unassigned');
    expect(assigneeParam('all')).toBeUndefined();
  });
});
