// The touchscreen: one screen at a time, driven by the on-screen keypad or a physical one (digits, Backspace, Enter).
import { createApi } from './api.js';
import { pollCommands } from './commands.js';
import * as courier from './courier.js';
import { collectPayment, hasPaymentTerminal, openDoor } from './device.js';
import * as help from './help.js';
import { applyLanguage, formatMoney, translate } from './i18n.js';
import { buildKeypads } from './keypad.js';
import { formatPhone } from './phone.js';
import * as speech from './speech.js';
import { takeToken } from './token.js';
import { createWalkupApi } from './walkup-api.js';

const IDLE_MS = 30_000;
const CODE_DIGITS = 8;
const SUFFIX_DIGITS = 4;
const SCREENS = ['setup', 'home', 'entry', 'form', 'size', 'deposit', 'report', 'notice', 'busy', 'rejected',
  'locked', 'open', 'fee', 'fault', 'error'];
// Screens a tracking-number scanner's letters reach (it types like a keyboard, then Enter).
const LOW_KEY = 'locker.kiosk.low';

const $ = (id) => document.getElementById(id);

const state = {
  api: null,
  walkup: null,
  siteLanguage: 'ko',
  lang: 'ko',
  suffixRequired: false,
  screen: 'entry',
  step: 'code', // code | suffix
  code: '',
  suffix: '',
  lastInput: Date.now(),
  lockedUntil: 0,
  adminLock: false,
  payment: null, // {amount, currency, status}
  opened: null, // {labels, action}
  pickupOnly: false,
  free: null, // {S: n, ...} from GET /kiosk/v1/site
  alternatives: [], // nearby sites with room, where the service says
  form: null, // the number being typed on the form screen: {spec, value, warning}
  notice: null, // what the notice screen says and offers
  sizes: null, // the size screen's choices
  deposit: null, // the open door of a courier's deposit
};

const t = (key, values) => translate(state.lang, key, values);

function show(screen) {
  state.screen = screen;
  for (const name of SCREENS) $(`screen-${name}`).hidden = name !== screen;
  render();
  const heading = $(`screen-${screen}`).querySelector('h1');
  if (heading) {
    // Screen readers hear the new screen; keyboard focus does not stay on a button that disappeared.
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  speakScreen();
}

function speakScreen() {
  if (speech.isOn()) speech.say(speech.describe($(`screen-${state.screen}`), t), state.lang);
}

function render() {
  applyLanguage(document, state.lang);
  $('lang-switch').textContent = t('lang.other');
  $('lang-switch').lang = state.lang === 'ko' ? 'en' : 'ko';
  $('voice-switch').hidden = !speech.available();
  $('voice-switch').setAttribute('aria-pressed', String(speech.isOn()));
  $('low-switch').setAttribute('aria-pressed', String(document.body.classList.contains('low')));
  if (state.screen === 'home') renderHome();
  if (state.screen === 'form') renderForm();
  if (state.screen === 'size') renderSizes();
  if (state.screen === 'deposit') renderDeposit();
  if (state.screen === 'notice') renderNotice();
  if (state.screen === 'report') $('report-hint').textContent = help.reportHint(t);
  if (state.screen === 'entry') renderEntry();
  if (state.screen === 'locked') renderLocked();
  if (state.screen === 'open') renderOpen();
  if (state.screen === 'fee') renderFee();
}

function renderEntry() {
  const suffix = state.step === 'suffix';
  const total = suffix ? SUFFIX_DIGITS : CODE_DIGITS;
  const typed = suffix ? state.suffix : state.code;
  $('entry-title').textContent = t(suffix ? 'suffix.title' : 'code.title');
  $('entry-hint').textContent = t(suffix ? 'suffix.hint' : 'code.hint');
  const digits = $('digits');
  digits.replaceChildren(...Array.from({ length: total }, (_, i) => {
    const box = document.createElement('span');
    box.className = i < typed.length ? 'digit filled' : 'digit';
    box.textContent = typed[i] || '';
    return box;
  }));
  digits.classList.toggle('short', suffix);
  $('entry-count').textContent = t('entry.count', { n: typed.length, total });
}

function renderLocked() {
  const left = Math.max(0, Math.ceil((state.lockedUntil - Date.now()) / 1000));
  const minutes = Math.floor(left / 60);
  $('countdown').textContent = `${minutes}:${String(left % 60).padStart(2, '0')}`;
  $('countdown').setAttribute('aria-label', `${left}s`);
  $('locked-title').textContent = t(state.adminLock ? 'locked.adminTitle' : 'locked.title');
  $('locked-body').textContent = t(state.adminLock ? 'locked.admin' : 'locked.body');
  $('locked-label').textContent = t(state.adminLock ? 'locked.recheck' : 'locked.remaining');
}

function renderOpen() {
  const { labels, action } = state.opened;
  $('door-label').textContent = labels.join(' · ');
  $('open-body').textContent = t(action === 'return' ? 'open.return' : 'open.pickup');
}

function renderFee() {
  const { amount, currency, status } = state.payment;
  $('fee-amount').textContent = formatMoney(state.lang, amount, currency);
  $('fee-body').textContent = t(status === 'none' ? 'fee.none' : status === 'failed' ? 'fee.failed' : 'fee.body');
}

function renderHome() {
  $('home-banner').hidden = !state.pickupOnly;
  const closed = state.pickupOnly || courier.isOffline();
  $('home-deliver').classList.toggle('full', closed);
  $('home-deliver-sub').textContent = t(courier.isOffline() ? 'home.deliverOffline'
    : state.pickupOnly ? 'home.deliverFull' : 'home.deliverSub');
}

/** The form screen: one number typed on the keypad (a phone number, a PIN, a tracking number). */
function showForm(spec) {
  state.form = { spec, value: spec.value || '', warning: '' };
  show('form');
}

function renderForm() {
  const { spec, value, warning } = state.form;
  $('form-title').textContent = t(spec.title);
  $('form-hint').textContent = spec.hint ? t(spec.hint, spec.hintValues) : '';
  const shown = spec.secret ? '●'.repeat(value.length) : spec.kind === 'phone' ? formatPhone(value) : value;
  $('form-value').textContent = shown || '\u00a0';
  $('form-value').classList.toggle('secret', Boolean(spec.secret));
  $('form-count').textContent = t('speech.digits', { n: value.length });
  $('form-warning').textContent = warning ? t(warning) : '';
  renderActions($('form-actions'), spec.actions, 'small');
}

function renderActions(box, actions = [], size = '') {
  box.replaceChildren(...actions.map((action) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `action ${action.primary ? '' : 'secondary'} ${size}`.trim();
    button.textContent = t(action.key, action.values);
    button.addEventListener('click', () => {
      state.lastInput = Date.now();
      action.run();
    });
    return button;
  }));
}

function formPress(key) {
  const form = state.form;
  const { spec } = form;
  form.warning = '';
  if (key === 'Enter') {
    const warning = spec.submit(form.value);
    // submit answers a warning key when the number cannot be sent; otherwise it has moved on.
    if (typeof warning === 'string' && state.form === form) {
      form.warning = warning;
      renderForm();
      say(t(warning));
    }
    return;
  }
  if (key === 'Escape') return spec.back ? spec.back() : home();
  if (key === 'Backspace') {
    if (!form.value) return spec.back ? spec.back() : renderForm();
    form.value = form.value.slice(0, -1);
  } else if (form.value.length < spec.max) {
    form.value += key;
  }
  renderForm();
}

function showNotice(spec) {
  state.notice = spec;
  show('notice');
}

function renderNotice() {
  const { title, body, values, places, label, tone, actions } = state.notice;
  $('notice-title').textContent = t(title, values);
  $('screen-notice').dataset.tone = tone || '';
  $('notice-body').textContent = body ? t(body, values) : '';
  $('notice-list').replaceChildren(...(places || []).map((place) => {
    const item = document.createElement('li');
    item.textContent = t('place.line', { ...place, distance: distance(place) });
    return item;
  }));
  $('notice-label').hidden = !label;
  $('notice-label').textContent = label || '';
  renderActions($('notice-actions'), actions);
}

function distance(place) {
  const metres = place.distance_m;
  if (metres === null || metres === undefined) return t('place.near');
  if (metres < 1000) return t('place.m', { m: metres });
  return t('place.km', { km: (metres / 1000).toFixed(1) });
}

function showSizes(spec) {
  state.sizes = spec;
  show('size');
}

function renderSizes() {
  const { rows, hint, pick, actions } = state.sizes;
  const offered = rows.find((r) => r.usable)?.size;
  const fullOne = rows.find((r) => !r.usable && r.next);
  $('size-hint').textContent = t(hint.key, hint.values);
  $('size-note').textContent = fullOne && fullOne.free === 0
    ? t('size.nextUp', { size: fullOne.size, next: fullOne.next }) : '';
  $('size-buttons').replaceChildren(...rows.map((row) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `size${row.size === offered ? ' offered' : ''}`;
    button.disabled = !row.usable;
    button.dataset.size = row.size;
    const status = row.usable ? t('size.free', { n: row.free }) : row.small ? t('size.small')
      : row.next ? t('size.fullNext', { size: row.next }) : t('size.full');
    const parts = [['size-code', row.size], ['size-name', t(`size.${row.size}`)], ['size-free', status]];
    button.replaceChildren(...parts.map(([cls, text]) => {
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      return span;
    }));
    button.setAttribute('aria-label', `${row.size} ${t(`size.${row.size}`)}, ${status}`);
    button.addEventListener('click', () => {
      state.lastInput = Date.now();
      pick(row.size);
    });
    return button;
  }));
  renderActions($('size-actions'), actions, 'small');
}

function showDeposit(spec) {
  state.deposit = spec;
  show('deposit');
}

function renderDeposit() {
  const { label, hint, actions } = state.deposit;
  $('deposit-label').textContent = label;
  $('deposit-hint').textContent = t(hint);
  renderActions($('deposit-actions'), actions);
}

/** Any answer the help screens did not expect: what to do next. */
function showProblem(answer, retry) {
  if (answer.status === 401) return show('setup');
  if (answer.status === 429) {
    const seconds = answer.retryAfter ?? answer.data?.retry_after ?? 60;
    return showNotice({ title: 'courier.tooManyTitle', body: 'courier.tooManyBody', tone: 'bad',
      values: { minutes: Math.max(1, Math.ceil(seconds / 60)) }, actions: [{ key: 'home.back', run: home }] });
  }
  return showNotice({ title: 'error.title', body: 'error.body', tone: 'bad',
    actions: [{ key: 'courier.retry', run: retry, primary: true }, { key: 'home.back', run: home }] });
}

function say(text) {
  if (speech.isOn()) speech.say(text, state.lang);
}

/** A key pressed, read aloud: the digit itself, except in a PIN or a code, where only the count is. */
function speakKey(key, secret, count) {
  if (!speech.isOn()) return;
  if (key === 'Backspace') return say(t('speech.delete'));
  if (key === 'Enter') return say(t('speech.ok'));
  if (secret) return say(t('speech.hidden', { n: count }));
  say(key);
}

/** The start screen: pick up or deliver, a lost code, a problem. */
function home() {
  courier.forgetTyped();
  state.step = 'code';
  state.code = '';
  state.suffix = '';
  state.payment = null;
  state.opened = null;
  state.form = null;
  $('entry-warning').textContent = '';
  show('home');
  // Whether the site is full changes with every deposit and pickup: the start screen asks again.
  if (state.api) loadSite();
}

function start() {
  state.step = 'code';
  state.code = '';
  state.suffix = '';
  state.payment = null;
  state.opened = null;
  $('entry-warning').textContent = '';
  show('entry');
}

function backToIdle() {
  state.lang = state.siteLanguage;
  if (courier.signedIn()) courier.finish();
  else home();
}

function press(key) {
  state.lastInput = Date.now();
  if (state.screen === 'form') {
    const { spec, value } = state.form;
    // Enter is not read out: the next screen, or the warning, is.
    if (key === 'Backspace' || (/^\w$/.test(key) && value.length < spec.max)) {
      speakKey(key, spec.secret, key === 'Backspace' ? Math.max(0, value.length - 1) : value.length + 1);
    }
    return formPress(key);
  }
  if (['home', 'entry'].includes(state.screen) && (/^\d$/.test(key) || key === 'Backspace')) {
    const typed = (state.step === 'suffix' ? state.suffix : state.code).length;
    speakKey(key, true, state.screen === 'home' ? 1 : Math.max(0, typed + (key === 'Backspace' ? -1 : 1)));
  }
  // Typing digits at the start screen is typing a code: the resident with her SMS need not tap first.
  if (state.screen === 'home') {
    if (/^\d$/.test(key)) start();
    else return;
  }
  if (state.screen === 'rejected' || state.screen === 'error') {
    if (key === 'Enter') return start();
    if (/^\d$/.test(key)) start();
    else return;
  }
  if (['open', 'fault'].includes(state.screen) && key === 'Enter') return start();
  if (state.screen !== 'entry') return;
  const suffix = state.step === 'suffix';
  const field = suffix ? 'suffix' : 'code';
  const total = suffix ? SUFFIX_DIGITS : CODE_DIGITS;
  $('entry-warning').textContent = '';
  if (/^\d$/.test(key)) {
    if (state[field].length < total) state[field] += key;
  } else if (key === 'Backspace') {
    if (state[field].length > 0) state[field] = state[field].slice(0, -1);
    else if (suffix) state.step = 'code';
  } else if (key === 'Escape') {
    return start();
  } else if (key === 'Enter') {
    return submitStep();
  }
  renderEntry();
}

function submitStep() {
  if (state.step === 'code') {
    if (state.code.length !== CODE_DIGITS) return warnShort(CODE_DIGITS);
    if (state.suffixRequired) {
      state.step = 'suffix';
      return renderEntry();
    }
  } else if (state.suffix.length !== 0 && state.suffix.length !== SUFFIX_DIGITS) {
    return warnShort(SUFFIX_DIGITS);
  }
  return submit({});
}

function warnShort(total) {
  $('entry-warning').textContent = t('entry.short', { total });
  say(t('entry.short', { total }));
}

async function submit(extra) {
  const body = { code: state.code, ...extra };
  if (state.suffixRequired && state.suffix) body.phone_suffix = state.suffix;
  show('busy');
  let answer;
  try {
    answer = await state.api.pickup(body);
  } catch {
    return show('error');
  }
  state.lastInput = Date.now();
  const { status, data } = answer;
  if (status === 200 && data) return opened(data);
  // Whatever the cause, the code and digits are forgotten at once.
  state.code = '';
  state.suffix = '';
  if (status === 402 && data) return feeDue(data, body);
  if (status === 403) return show('rejected');
  if (status === 429) {
    const seconds = answer.retryAfter ?? data?.retry_after ?? 60;
    state.lockedUntil = Date.now() + seconds * 1000;
    state.adminLock = Boolean(data?.admin_unlock_required);
    return show('locked');
  }
  if (status === 401) return show('setup');
  return show('error');
}

async function opened(data) {
  const labels = data.compartments || [];
  const action = data.parcels?.[0]?.action || 'pickup';
  state.code = '';
  state.suffix = '';
  state.opened = { labels, action };
  show('open');
  for (const label of labels) {
    if ((await openDoor(label)) === false) {
      state.api.doorFault(label, 'did not open').catch(() => {});
      show('fault');
    }
  }
}

async function feeDue(problem, body) {
  const amount = Number(problem.amount ?? problem.fee_due ?? 0);
  const currency = problem.currency || 'KRW';
  state.payment = { amount, currency, status: hasPaymentTerminal() ? 'waiting' : 'none' };
  show('fee');
  if (state.payment.status === 'none') return;
  const pending = state.payment;
  let reference;
  try {
    reference = await collectPayment({ amount, currency });
  } catch {
    if (state.payment === pending) {
      pending.status = 'failed';
      render();
    }
    return;
  }
  // The resident may have cancelled, or the screen gone idle, while the terminal was busy.
  if (state.payment !== pending || state.screen !== 'fee') return;
  state.code = body.code;
  state.suffix = body.phone_suffix || '';
  await submit({ payment_reference: reference });
}

function tick() {
  if (state.screen === 'locked') {
    if (Date.now() >= state.lockedUntil) return start();
    renderLocked();
    return;
  }
  // A courier filling a compartment keeps his screen (and session) for 5 idle minutes, a resident 30 s.
  const idle = Date.now() - state.lastInput > (courier.signedIn() ? courier.COURIER_IDLE_MS : IDLE_MS);
  const atStart = state.screen === 'home';
  // Never walk away from a payment the card terminal may still be taking.
  const paying = state.screen === 'fee' && state.payment?.status === 'waiting';
  if (idle && !atStart && !paying && !['setup', 'busy'].includes(state.screen)) backToIdle();
  else if (idle && atStart && state.lang !== state.siteLanguage) backToIdle();
}

function wireInput() {
  const keypad = $('keypad');
  // A tap must not leave focus on a button, or a physical keypad's Enter would press that button again.
  // Buttons still take focus from Tab, for keyboard users.
  document.addEventListener('mousedown', (event) => {
    if (event.target.closest('button')) event.preventDefault();
  });
  for (const pad of [keypad, $('form-keypad')]) {
    pad.addEventListener('click', (event) => {
      const key = event.target.closest('button[data-key]');
      if (key) press(key.dataset.key);
    });
  }
  const actions = {
    start,
    home,
    pickup: start,
    deliver: () => courier.deliver(),
    lost: () => help.lostCode(),
    report: () => help.reportProblem(),
    'report-door': () => help.reportProblem(state.opened?.labels?.[0] || null),
  };
  for (const button of document.querySelectorAll('button[data-action]')) {
    button.addEventListener('click', () => {
      state.lastInput = Date.now();
      actions[button.dataset.action]();
    });
  }
  for (const button of document.querySelectorAll('button[data-report]')) {
    button.addEventListener('click', () => {
      state.lastInput = Date.now();
      help.sendReport(button.dataset.report);
    });
  }
  $('lang-switch').addEventListener('click', () => {
    state.lastInput = Date.now();
    state.lang = state.lang === 'ko' ? 'en' : 'ko';
    render();
    speakScreen();
  });
  $('voice-switch').addEventListener('click', () => {
    state.lastInput = Date.now();
    const wasOn = speech.isOn();
    if (wasOn) speech.say(t('voice.stopped'), state.lang);
    speech.setOn(!wasOn);
    render();
    if (!wasOn && speech.isOn()) {
      speech.say(`${t('voice.started')} ${speech.describe($(`screen-${state.screen}`), t)}`, state.lang);
    }
  });
  $('low-switch').addEventListener('click', () => {
    state.lastInput = Date.now();
    const low = !document.body.classList.contains('low');
    document.body.classList.toggle('low', low);
    window.localStorage.setItem(LOW_KEY, low ? '1' : '');
    render();
  });
  speech.onVoicesChanged(() => render());
  // Moving through the buttons with Tab (or a keypad's arrow keys mapped to it) says where one is.
  document.addEventListener('focusin', (event) => {
    const button = event.target.closest?.('button');
    if (button) say(button.getAttribute('aria-label') || button.textContent.replace(/\s+/g, ' ').trim());
  });
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    state.lastInput = Date.now();
    const onButton = event.target instanceof HTMLButtonElement;
    const scanning = state.screen === 'form' && state.form?.spec.kind === 'tracking';
    if (scanning && /^[A-Za-z0-9-]$/.test(event.key)) {
      event.preventDefault();
      press(event.key.toUpperCase());
    } else if (/^\d$/.test(event.key) || event.key === 'Backspace' || event.key === 'Escape') {
      event.preventDefault();
      press(event.key);
    } else if ((event.key === 'Enter' || event.key === 'NumpadEnter') && !onButton) {
      event.preventDefault();
      press('Enter');
    }
  });
  document.addEventListener('pointerdown', () => {
    state.lastInput = Date.now();
  });
}

async function loadSite() {
  try {
    const answer = await state.api.site();
    if (answer.status === 401) return show('setup');
    if (answer.status !== 200 || !answer.data) return;
    const { name, language, phone_suffix_required: suffix } = answer.data;
    $('site-name').textContent = name || '';
    state.suffixRequired = Boolean(suffix);
    state.free = answer.data.free || null;
    state.pickupOnly = Boolean(answer.data.pickup_only);
    if (Array.isArray(answer.data.alternatives)) state.alternatives = answer.data.alternatives;
    if (language && language !== state.siteLanguage) {
      state.siteLanguage = language;
      if (state.screen === 'home') state.lang = language;
    }
    render();
  } catch {
    window.setTimeout(loadSite, 5000);
  }
}

function main() {
  document.body.classList.toggle('low', window.localStorage.getItem(LOW_KEY) === '1');
  buildKeypads();
  wireInput();
  const token = takeToken();
  if (!token) return show('setup');
  state.api = createApi(token);
  state.walkup = createWalkupApi(state.api);
  // The controller reports door sensors through these.
  window.lockerKiosk = {
    doorClosed: (label) => {
      courier.doorClosed(label);
      return state.api.doorClosed(label);
    },
    doorFault: (label, reason) => state.api.doorFault(label, reason),
  };
  const ui = { state, t, show, home, form: showForm, notice: showNotice, sizes: showSizes, deposit: showDeposit,
    problem: showProblem, refreshSite: loadSite, api: state.api, walkup: state.walkup };
  courier.initCourier(ui);
  help.initHelp(ui);
  home();
  pollCommands(state.api, { onUnauthorized: () => show('setup') });
  window.setInterval(tick, 250);
  window.setInterval(() => {
    if (state.screen !== 'home') return;
    loadSite();
    courier.checkAgent();
  }, 60_000);
}

main();
