import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LinkedText } from '../components/LinkedText';
import { initials } from './format';
import { linkParts } from './linkify';

describe('links in messages', () => {
  it('finds http(s) URLs and leaves the punctuation of the sentence out', () => {
    expect(linkParts('See https://shop.example.com/a?b=1#c, or (http://x.io/wiki/Foo_(bar)).')).toEqual([
      { text: 'See ' },
      { text: 'https://shop.example.com/a?b=1#c', href: 'https://shop.example.com/a?b=1#c' },
      { text: ', or (' },
      { text: 'http://x.io/wiki/Foo_(bar)', href: 'http://x.io/wiki/Foo_(bar)' },
      { text: ').' },
    ]);
    expect(linkParts('no link here')).toEqual([{ text: 'no link here' }]);
  });

  it('renders links safely: new tab, no opener or referrer, never script', () => {
    const text = 'Try https://example.com/x. Or javascript:alert(1) or <img src=x onerror=alert(1)> or data:text/html,<b>x</b> or https://"onmouseover=alert(1)';
    const { container } = render(<LinkedText text={text} />);
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0].getAttribute('href')).toBe('https://example.com/x');
    expect(links[0].getAttribute('target')).toBe('_blank');
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toBe(text);
  });
});

describe('initials', () => {
  it('skips words that are not names, such as a generated visitor number', () => {
    expect(initials('Visitor 35EF')).toBe('V');
    expect(initials('Jane Doe')).toBe('JD');
    expect(initials('ana maria de souza')).toBe('AS');
    expect(initials('Émile Zola')).toBe('ÉZ');
    expect(initials('jane@example.com')).toBe('J');
    expect(initials('42')).toBe('4');
    expect(initials('  ')).toBe('?');
  });
});
