// The kiosk API's walk-up calls (courier sessions and deposits, lost codes, problem reports) and the local
// locker agent's door status. These calls need headers of their own (X-Courier-Session, Idempotency-Key),
// which they pass to api.js's request: a bearer token, or none behind the locker agent, which adds the
// kiosk's token itself.
const SESSION_HEADER = 'X-Courier-Session';

/** A fresh Idempotency-Key; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createWalkupApi(api) {
  const request = (method, path, body, extra) => api.request(method, path, body, extra);
  const session = (id, extra = {}) => ({ [SESSION_HEADER]: id, ...extra });
  const parcel = (id) => `v1/courier/deposits/${encodeURIComponent(id)}`;
  return {
    signIn: (phone, pin) => request('POST', 'v1/courier/session', { phone, pin }),
    signOut: (id) => request('DELETE', 'v1/courier/session', undefined, session(id)),
    deposit: (id, body, key) => request('POST', 'v1/courier/deposits', body, session(id, { 'Idempotency-Key': key })),
    stored: (id, parcelId, key) => request('POST', `${parcel(parcelId)}/stored`, undefined,
      session(id, { 'Idempotency-Key': key })),
    cancel: (id, parcelId, key) => request('POST', `${parcel(parcelId)}/cancel`, undefined,
      session(id, { 'Idempotency-Key': key })),
    resend: (phone) => request('POST', 'v1/codes/resend', { phone }),
    report: (kind, compartment) => request('POST', 'v1/reports', compartment ? { kind, compartment } : { kind }),
  };
}

/** The locker agent's status, or null where no agent serves this page (the service answers 404 there). */
export async function agentStatus() {
  try {
    const response = await fetch('/agent/v1/status', { cache: 'no-store', credentials: 'omit' });
    if (response.status !== 200) return null;
    const data = await response.json();
    return data && typeof data === 'object' && data.doors && typeof data.doors === 'object' ? data : null;
  } catch {
    return null;
  }
}
