/**
 * takeLinkToken reads the token of a link Parley sent (/accept-invite#<token>,
 * /reset-password#<token>, /confirm-email#<token>; `?token=` also works) and
 * removes it from the address bar and history, so it does not linger after
 * use. Fragments never reach the server or a Referer.
 */
export function takeLinkToken(): string {
  const raw = location.hash.replace(/^#/, '');
  const params = new URLSearchParams(location.search);
  let token = '';
  try {
    token = decodeURIComponent(raw).trim();
  } catch {
    token = raw.trim();
  }
  if (!token) token = (params.get('token') ?? '').trim();
  if (raw || params.has('token')) {
    params.delete('token');
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? `?${q}` : ''));
  }
  return token;
}
