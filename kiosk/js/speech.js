// Voice guidance (Web Speech API): reads each screen and each key aloud where the kiosk has voices.
// The page offers the mode only where speechSynthesis has at least one voice; a kiosk without voices
// needs audio from its controller instead.
const LOCALES = { ko: 'ko-KR', en: 'en-US' };

let enabled = false;
const listeners = [];

function synth() {
  return 'speechSynthesis' in window ? window.speechSynthesis : null;
}

export function available() {
  const s = synth();
  try {
    return Boolean(s && typeof s.getVoices === 'function' && s.getVoices().length > 0);
  } catch {
    return false;
  }
}

/** Calls back when voices appear or go (Chromium loads them after the page). */
export function onVoicesChanged(callback) {
  listeners.push(callback);
  const s = synth();
  if (s && typeof s.addEventListener === 'function') s.addEventListener('voiceschanged', callback);
}

export function isOn() {
  return enabled;
}

export function setOn(on) {
  enabled = Boolean(on) && available();
  if (!enabled) synth()?.cancel();
  return enabled;
}

/** Speaks now, cutting off whatever was being said (a new screen or key makes the old words stale). */
export function say(text, lang, { interrupt = true } = {}) {
  const s = synth();
  if (!enabled || !s || !text) return;
  if (interrupt) s.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = LOCALES[lang] || lang;
  const voice = s.getVoices().find((v) => v.lang && v.lang.replace('_', '-').startsWith(lang));
  // Only a real voice object may be set; the lang alone lets the browser choose.
  if (voice && typeof SpeechSynthesisVoice !== 'undefined' && voice instanceof SpeechSynthesisVoice) {
    utterance.voice = voice;
  }
  s.speak(utterance);
}

const visible = (el) => !el.hidden && !el.closest('[hidden]') && !el.classList.contains('sr-only');
const spoken = (el) => (el.getAttribute('aria-label') || el.textContent || '').replace(/\s+/g, ' ').trim();

/** What a screen says, in reading order: its texts, then "Buttons: ...", and a word on the keypad. */
export function describe(section, t) {
  const texts = [];
  for (const el of section.querySelectorAll('h1, p, li')) {
    if (visible(el) && el.getAttribute('aria-hidden') !== 'true' && spoken(el)) texts.push(spoken(el));
  }
  const buttons = [...section.querySelectorAll('button:not(.key)')].filter(visible).map(spoken).filter(Boolean);
  if (section.querySelector('.keypad')) texts.push(t('speech.keypad'));
  if (buttons.length) texts.push(t('speech.buttons', { list: buttons.join(', ') }));
  return texts.join(' ');
}
