// The touchscreen: one screen at a time, driven by the on-screen keypad or a physical one (digits, Backspace, Enter).
import { createApi } from './api.js';
import { pollCommands } from './commands.js';
import { collectPayment, hasPaymentTerminal, openDoor } from './device.js';
import { applyLanguage, formatMoney, translate } from './i18n.js';
import { takeToken } from './token.js';

const IDLE_MS = 30_000;
const CODE_DIGITS = 8;
const SUFFIX_DIGITS = 4;
const SCREENS = ['setup', 'entry', 'busy', 'rejected', 'locked', 'open', 'fee', 'fault', 'error'];

const $ = (id) => document.getElementById(id);

const state = {
  api: null,
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
}

function render() {
  applyLanguage(document, state.lang);
  $('lang-switch').textContent = t('lang.other');
  $('lang-switch').lang = state.lang === 'ko' ? 'en' : 'ko';
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
  start();
}

function press(key) {
  state.lastInput = Date.now();
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
  const idle = Date.now() - state.lastInput > IDLE_MS;
  const atStart = state.screen === 'entry' && state.step === 'code' && !state.code;
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
  keypad.addEventListener('click', (event) => {
    const key = event.target.closest('button[data-key]');
    if (key) press(key.dataset.key);
  });
  for (const button of document.querySelectorAll('button[data-action="start"]')) {
    button.addEventListener('click', () => {
      state.lastInput = Date.now();
      start();
    });
  }
  $('lang-switch').addEventListener('click', () => {
    state.lastInput = Date.now();
    state.lang = state.lang === 'ko' ? 'en' : 'ko';
    render();
  });
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    state.lastInput = Date.now();
    const onButton = event.target instanceof HTMLButtonElement;
    if (/^\d$/.test(event.key) || event.key === 'Backspace' || event.key === 'Escape') {
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
    if (language && language !== state.siteLanguage) {
      state.siteLanguage = language;
      if (state.screen === 'entry' && !state.code) state.lang = language;
    }
    render();
  } catch {
    window.setTimeout(loadSite, 5000);
  }
}

function main() {
  wireInput();
  const token = takeToken();
  if (!token) return show('setup');
  state.api = createApi(token);
  // The controller reports door sensors through these.
  window.lockerKiosk = {
    doorClosed: (label) => state.api.doorClosed(label),
    doorFault: (label, reason) => state.api.doorFault(label, reason),
  };
  show('entry');
  loadSite();
  pollCommands(state.api, { onUnauthorized: () => show('setup') });
  window.setInterval(tick, 250);
}

main();
