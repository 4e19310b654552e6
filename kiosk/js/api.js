// The kiosk API over HTTP; paths are relative to /kiosk/ so the app works under any prefix.
// Behind the locker agent (token AGENT) calls go to the agent's /kiosk/v1/... with no token; the agent
// opens the doors of an answer itself and says how it went in "doors", and it reports door events and
// carries out remote opens on its own, so the page does neither.
import { rememberDoors } from './device.js';
import { AGENT } from './token.js';

export function createApi(token) {
  const agent = token === AGENT;
  const base = agent ? '/kiosk/' : '';

  async function call(method, path, body, extra = {}) {
    const headers = { Accept: 'application/json', ...extra };
    if (!agent) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path.startsWith('/') ? path : base + path, {
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
    if (agent && data && data.doors) rememberDoors(data.doors);
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    return { status: response.status, data, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null };
  }

  const done = async () => ({ status: 200, data: null, retryAfter: null });
  return {
    agent,
    // Any kiosk call with headers of its own (the walk-up calls' X-Courier-Session, Idempotency-Key).
    request: call,
    site: () => call('GET', 'v1/site'),
    pickup: (body) => call('POST', 'v1/pickup', body),
    commands: agent ? async () => ({ status: 200, data: { commands: [] }, retryAfter: null })
      : () => call('GET', 'v1/commands'),
    ack: (id, result) => call('POST', `v1/commands/${encodeURIComponent(id)}/ack`, { result }),
    doorClosed: agent ? done : (label) => call('POST', `v1/doors/${encodeURIComponent(label)}/closed`),
    doorFault: agent ? done
      : (label, reason) => call('POST', `v1/doors/${encodeURIComponent(label)}/fault`, { reason }),
    // The agent's view of the doors ({online, last_sync, doors}); 404 when there is no agent.
    agentStatus: agent ? () => call('GET', '/agent/v1/status')
      : async () => ({ status: 404, data: null, retryAfter: null }),
  };
}
