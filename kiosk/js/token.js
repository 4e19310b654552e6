// Provisioning: the kiosk is opened once as /kiosk/?token=...; the token then lives in local storage only.
const KEY = 'locker.kiosk.token';

export function takeToken(win = window) {
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
