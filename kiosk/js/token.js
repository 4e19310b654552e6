// Provisioning: the kiosk is opened once as /kiosk/?token=...; the token then lives in local storage only.
// Behind the locker agent (which marks the page with <meta name="locker-agent">) the page holds no token:
// the agent adds it to every call it passes to the service.
const KEY = 'locker.kiosk.token';
export const AGENT = 'agent';

export function behindAgent(doc = document) {
  return Boolean(doc.querySelector('meta[name="locker-agent"]'));
}

export function takeToken(win = window) {
  if (behindAgent(win.document)) return AGENT;
  const url = new URL(win.location.href);
  const given = url.searchParams.get('token');
  if (given) {
    win.localStorage.setItem(KEY, given);
    url.searchParams.delete('token');
    // Out of the address bar and the history, so it is not shown or bookmarked.
    win.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return win.localStorage.getItem(KEY);
}
