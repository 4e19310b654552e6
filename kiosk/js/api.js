// The kiosk API over HTTP; paths are relative to /kiosk/ so the app works under any prefix.
export function createApi(token) {
  async function call(method, path, body) {
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    return { status: response.status, data, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null };
  }

  return {
    site: () => call('GET', 'v1/site'),
    pickup: (body) => call('POST', 'v1/pickup', body),
    commands: () => call('GET', 'v1/commands'),
    ack: (id, result) => call('POST', `v1/commands/${encodeURIComponent(id)}/ack`, { result }),
    doorClosed: (label) => call('POST', `v1/doors/${encodeURIComponent(label)}/closed`),
    doorFault: (label, reason) => call('POST', `v1/doors/${encodeURIComponent(label)}/fault`, { reason }),
  };
}
