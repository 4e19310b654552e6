// The courier at the touchscreen: sign in (phone + PIN), then a loop of recipient's number, tracking number,
// size, open door, close door (stored, the SMS goes out); "finish" or 5 idle minutes end the session.
import { openDoor } from './device.js';
import { formatPhone, isKoreanMobile, maskPhone, PHONE_MAX } from './phone.js';
import { agentStatus, newKey } from './walkup-api.js';

export const SIZES = ['S', 'M', 'L', 'XL'];
export const COURIER_IDLE_MS = 5 * 60_000;
const PIN_DIGITS = 6;
const TRACKING_MAX = 40;
const DOOR_POLL_MS = 500;

let ui = null;
const flow = {
  session: null,
  courier: null,
  phone: '',
  recipient: '',
  tracking: '',
  minSize: null, // after "it does not fit": only larger sizes
  attempt: null, // {key, size, body}: one Idempotency-Key per deposit attempt, reused when it is retried
  parcel: null, // the reserved parcel whose door is open
  storedKey: null,
  agent: false,
  offline: false, // the agent says the service is out of reach
  watch: 0,
};

export function initCourier(context) {
  ui = context;
  checkAgent();
}

/** Whether an agent serves this page, and whether it reaches the service (deposits need it: the SMS). */
export async function checkAgent() {
  const status = await agentStatus();
  flow.agent = Boolean(status);
  const offline = Boolean(status) && status.online === false;
  if (offline !== flow.offline) {
    flow.offline = offline;
    if (ui.state.screen === 'home') ui.show('home');
  }
}

export const signedIn = () => Boolean(flow.session);

/** Back at the start: a number typed for a sign-in that did not happen is not left for the next person. */
export function forgetTyped() {
  if (!flow.session) flow.phone = '';
}
export const isOffline = () => flow.offline;

/** The start screen's "deliver" button. */
export function deliver() {
  if (flow.offline) {
    return ui.notice({ title: 'offline.title', body: 'offline.body', tone: 'warn',
      actions: [{ key: 'home.back', run: () => ui.home() }] });
  }
  if (ui.state.pickupOnly) return showFull(ui.state.alternatives);
  if (flow.session) return askRecipient();
  return askCourierPhone();
}

export function showFull(places) {
  ui.notice({
    title: 'full.title', body: places?.length ? 'full.body' : 'full.none', places, tone: 'warn',
    actions: [{ key: 'home.back', run: () => finish() }],
  });
}

function askCourierPhone() {
  ui.form({
    title: 'signin.phoneTitle', hint: 'signin.phoneHint', kind: 'phone', max: PHONE_MAX, value: flow.phone,
    submit: (value) => {
      if (!isKoreanMobile(value)) return 'phone.invalid';
      flow.phone = value;
      return askPin();
    },
    actions: [{ key: 'home.back', run: () => ui.home() }],
  });
}

function askPin() {
  ui.form({
    title: 'signin.pinTitle', hint: 'signin.pinHint', kind: 'pin', secret: true, max: PIN_DIGITS,
    submit: (value) => (value.length === PIN_DIGITS ? signIn(value) : 'pin.short'),
    back: askCourierPhone,
    actions: [{ key: 'back', run: askCourierPhone }, { key: 'home.back', run: () => ui.home() }],
  });
}

async function signIn(pin) {
  ui.show('busy');
  let answer;
  try {
    answer = await ui.walkup.signIn(flow.phone, pin);
  } catch {
    return offline(askPin);
  }
  const { status, data } = answer;
  if (status === 201 && data?.session) {
    flow.session = data.session;
    flow.courier = data.courier || null;
    flow.phone = '';
    return askRecipient();
  }
  if (status === 403) {
    return ui.notice({
      title: 'courier.rejectedTitle', body: 'courier.rejectedBody', tone: 'bad',
      actions: [{ key: 'courier.retry', run: askPin }, { key: 'home.back', run: () => ui.home() }],
    });
  }
  if (status === 429) return tooMany(answer, 'courier.lockedTitle', 'courier.lockedBody');
  if (status === 401) return ui.show('setup');
  return failed(answer, askCourierPhone);
}

export function askRecipient() {
  flow.recipient = '';
  flow.tracking = '';
  flow.minSize = null;
  flow.attempt = null;
  flow.parcel = null;
  const who = flow.courier ? [flow.courier.name, flow.courier.carrier].filter(Boolean).join(' · ') : '';
  ui.form({
    title: 'recipient.title', hint: 'recipient.hint', hintValues: { courier: who }, kind: 'phone', max: PHONE_MAX,
    submit: (value) => {
      if (!isKoreanMobile(value)) return 'phone.invalid';
      flow.recipient = value;
      return askTracking();
    },
    actions: [{ key: 'stored.finish', run: () => finish() }],
  });
}

function askTracking() {
  ui.form({
    title: 'tracking.title', hint: 'tracking.hint', kind: 'tracking', max: TRACKING_MAX, value: flow.tracking,
    submit: (value) => {
      flow.tracking = value;
      return chooseSize();
    },
    back: askRecipient,
    actions: [
      { key: 'tracking.skip', run: () => { flow.tracking = ''; chooseSize(); } },
      { key: 'back', run: askRecipient },
    ],
  });
}

/** Which sizes can be chosen now: [{size, free, usable, next}] with `next` the size offered instead of a full one. */
export function sizeChoices(free, minSize) {
  const floor = minSize ? SIZES.indexOf(minSize) : 0;
  const rows = SIZES.map((size, i) => ({ size, free: Number(free?.[size] ?? 0), usable: false, next: null,
    small: i < floor }));
  for (const row of rows) row.usable = !row.small && row.free > 0;
  for (const [i, row] of rows.entries()) {
    if (!row.usable && i >= floor) row.next = rows.slice(i + 1).find((r) => r.usable)?.size ?? null;
  }
  return rows;
}

async function chooseSize() {
  ui.show('busy');
  await ui.refreshSite();
  const rows = sizeChoices(ui.state.free, flow.minSize);
  if (!rows.some((r) => r.usable)) {
    return ui.notice({
      title: 'courier.fullTitle', values: { size: flow.minSize || 'S' }, body: 'courier.fullBody',
      places: ui.state.alternatives, tone: 'warn', actions: [{ key: 'stored.finish', run: () => finish() }],
    });
  }
  ui.sizes({
    rows,
    hint: flow.minSize ? { key: 'size.larger', values: { size: SIZES[SIZES.indexOf(flow.minSize) - 1] } }
      : { key: 'size.hint', values: { phone: maskPhone(flow.recipient) } },
    pick: deposit,
    actions: [{ key: 'back', run: askTracking }, { key: 'stored.finish', run: () => finish() }],
  });
}

async function deposit(size) {
  if (!flow.attempt || flow.attempt.size !== size) {
    const body = { recipient_phone: formatPhone(flow.recipient), size };
    if (flow.tracking) body.tracking_number = flow.tracking;
    flow.attempt = { key: newKey(), size, body };
  }
  const { key, body } = flow.attempt;
  ui.show('busy');
  let answer;
  try {
    answer = await ui.walkup.deposit(flow.session, body, key);
  } catch {
    return offline(() => deposit(size)); // the same key: a deposit the service did make is not made twice
  }
  const { status, data } = answer;
  if (status === 201 && data?.compartment) {
    flow.attempt = null;
    flow.parcel = data;
    flow.storedKey = null;
    return doorOpened(data);
  }
  flow.attempt = null;
  if (status === 409 && data?.type === 'locker-full') {
    ui.state.alternatives = data.alternatives || [];
    return ui.notice({
      title: 'courier.fullTitle', values: { size }, body: 'courier.fullBody', places: data.alternatives,
      tone: 'warn', actions: [{ key: 'courier.otherSize', run: chooseSize }, { key: 'stored.finish', run: finish }],
    });
  }
  if ((status === 400 || status === 422) && /phone/.test(`${data?.field} ${data?.type} ${data?.detail}`)) {
    return ui.notice({
      title: 'courier.phoneTitle', body: 'courier.phoneBody', tone: 'bad',
      actions: [{ key: 'courier.retry', run: askRecipient }, { key: 'stored.finish', run: finish }],
    });
  }
  return failed(answer, chooseSize);
}

async function doorOpened(parcel) {
  const label = parcel.compartment;
  ui.deposit({
    label,
    hint: flow.agent ? 'deposit.auto' : 'deposit.manual',
    actions: [
      ...(flow.agent ? [] : [{ key: 'deposit.closed', run: confirmStored, primary: true }]),
      { key: 'deposit.noFit', run: noFit },
      { key: 'deposit.cancel', run: cancelParcel },
    ],
  });
  // Through the agent, the answer says whether the board opened the door; otherwise the controller hook does.
  const reported = parcel.doors?.[label];
  const opened = reported ? reported === 'opened' : await openDoor(label);
  if (opened === false) return doorFailed(parcel, !reported);
  if (flow.agent) watchDoor(parcel);
}

function watchDoor(parcel) {
  const watch = ++flow.watch;
  let seenOpen = false;
  const poll = async () => {
    if (watch !== flow.watch || flow.parcel !== parcel) return;
    const status = await agentStatus();
    const door = status?.doors?.[parcel.compartment];
    if (door === 'open') seenOpen = true;
    if (seenOpen && door === 'closed') return confirmStored();
    window.setTimeout(poll, DOOR_POLL_MS);
  };
  poll();
}

/** The controller's door sensor (window.lockerKiosk.doorClosed) closing the open deposit's door. */
export function doorClosed(label) {
  if (flow.parcel?.compartment === label && ui.state.screen === 'deposit') confirmStored();
}

async function doorFailed(parcel, reportFault) {
  flow.watch += 1;
  if (reportFault) ui.api.doorFault(parcel.compartment, 'did not open').catch(() => {});
  await release(parcel);
  ui.notice({
    title: 'courier.doorTitle', body: 'courier.doorBody', tone: 'bad',
    actions: [{ key: 'courier.otherSize', run: chooseSize }, { key: 'stored.finish', run: finish }],
  });
}

async function confirmStored() {
  const parcel = flow.parcel;
  if (!parcel) return;
  flow.watch += 1;
  flow.storedKey ||= newKey();
  ui.show('busy');
  let answer;
  try {
    answer = await ui.walkup.stored(flow.session, parcel.parcel_id, flow.storedKey);
  } catch {
    return storedFailed(parcel);
  }
  // 409 already-stored: an earlier confirmation got through though its answer was lost.
  if (answer.status === 200 || (answer.status === 409 && answer.data?.type === 'already-stored')) {
    flow.parcel = null;
    return ui.notice({
      title: 'stored.title', body: 'stored.body', label: parcel.compartment, tone: 'ok',
      actions: [{ key: 'stored.next', run: askRecipient, primary: true }, { key: 'stored.finish', run: finish }],
    });
  }
  if (answer.status === 401 || isSessionProblem(answer)) return sessionEnded();
  return storedFailed(parcel, answer);
}

function storedFailed(parcel, answer) {
  const retry = () => {
    flow.parcel = parcel;
    confirmStored();
  };
  if (answer && (answer.status === 409 || answer.status === 404)) {
    // The reservation is over (it ran out, or was cancelled): the compartment is not this parcel's any more.
    flow.parcel = null;
    return ui.notice({
      title: 'courier.goneTitle', body: 'courier.goneBody', label: parcel.compartment, tone: 'bad',
      actions: [{ key: 'stored.next', run: askRecipient, primary: true }, { key: 'stored.finish', run: finish }],
    });
  }
  return ui.notice({
    title: 'courier.storedFailTitle', body: 'courier.storedFailBody', label: parcel.compartment, tone: 'bad',
    actions: [{ key: 'deposit.closed', run: retry, primary: true }, { key: 'deposit.cancel', run: cancelParcel }],
  });
}

async function release(parcel) {
  try {
    const answer = await ui.walkup.cancel(flow.session, parcel.parcel_id, newKey());
    if (answer.status === 401 || isSessionProblem(answer)) return 'session';
    return answer.status === 200 ? 'ok' : 'failed';
  } catch {
    return 'failed';
  } finally {
    if (flow.parcel === parcel) flow.parcel = null;
  }
}

async function noFit() {
  const parcel = flow.parcel;
  if (!parcel) return;
  flow.watch += 1;
  ui.show('busy');
  const result = await release(parcel);
  if (result === 'session') return sessionEnded();
  const bigger = SIZES[SIZES.indexOf(parcel.size) + 1];
  if (!bigger) {
    return ui.notice({
      title: 'cancelled.title', body: 'cancelled.body', tone: 'warn',
      actions: [{ key: 'stored.next', run: askRecipient, primary: true }, { key: 'stored.finish', run: finish }],
    });
  }
  flow.minSize = bigger;
  flow.attempt = null;
  return chooseSize();
}

async function cancelParcel() {
  const parcel = flow.parcel;
  flow.watch += 1;
  ui.show('busy');
  if (parcel && (await release(parcel)) === 'session') return sessionEnded();
  ui.notice({
    title: 'cancelled.title', body: 'cancelled.body', tone: 'warn',
    actions: [{ key: 'stored.next', run: askRecipient, primary: true }, { key: 'stored.finish', run: finish }],
  });
}

/** "Finish", or 5 idle minutes: the session ends on the service too. */
export async function finish() {
  const session = flow.session;
  Object.assign(flow, { session: null, courier: null, phone: '', recipient: '', tracking: '', minSize: null,
    attempt: null, parcel: null, storedKey: null });
  flow.watch += 1;
  ui.home();
  if (session) ui.walkup.signOut(session).catch(() => {});
}

function isSessionProblem(answer) {
  return answer.status === 403 && /session/.test(String(answer.data?.type || ''));
}

function sessionEnded() {
  flow.session = null;
  flow.parcel = null;
  flow.watch += 1;
  ui.notice({
    title: 'courier.sessionTitle', body: 'courier.sessionBody', tone: 'bad',
    actions: [{ key: 'courier.signInAgain', run: askCourierPhone, primary: true },
      { key: 'home.back', run: () => ui.home() }],
  });
}

function tooMany(answer, title = 'courier.tooManyTitle', body = 'courier.tooManyBody') {
  const seconds = answer.retryAfter ?? answer.data?.retry_after ?? 60;
  ui.notice({
    title, body, values: { minutes: Math.max(1, Math.ceil(seconds / 60)) }, tone: 'bad',
    actions: [{ key: 'home.back', run: () => finish() }],
  });
}

function offline(retry) {
  ui.notice({
    title: 'error.title', body: 'courier.offlineBody', tone: 'bad',
    actions: [{ key: 'courier.retry', run: retry, primary: true }, { key: 'home.back', run: () => finish() }],
  });
}

/** Any other answer: a screen that says what to do next. */
function failed(answer, retry) {
  if (answer.status === 401 || isSessionProblem(answer)) return flow.session ? sessionEnded() : ui.show('setup');
  if (answer.status === 429) return tooMany(answer);
  ui.notice({
    title: answer.status >= 500 ? 'error.title' : 'courier.badTitle',
    body: answer.status >= 500 ? 'error.body' : 'courier.badBody', tone: 'bad',
    actions: [{ key: 'courier.retry', run: retry, primary: true }, { key: 'home.back', run: () => finish() }],
  });
}
