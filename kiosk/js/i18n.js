// Every word the kiosk shows, in Korean (the default) and English.
export const LANGUAGES = ['ko', 'en'];

const STRINGS = {
  ko: {
    'app.title': '안심택배함',
    'lang.other': 'English',
    'setup.title': '키오스크 설정이 필요합니다',
    'setup.body': '관리자가 발급한 주소(/kiosk/?token=…)로 이 화면을 한 번 열어 주세요.',
    'code.title': '인증번호 8자리를 입력하세요',
    'code.hint': '문자로 받은 인증번호를 누르고 확인을 누르세요. 택배기사 반송 코드도 같은 방법으로 입력합니다.',
    'suffix.title': '휴대폰 번호 뒤 4자리를 입력하세요',
    'suffix.hint': '문자를 받은 휴대폰 번호의 뒤 4자리입니다. 반송 코드를 입력한 택배기사는 비워 두고 확인을 누르세요.',
    'entry.count': '{total}자리 중 {n}자리 입력됨',
    'entry.short': '{total}자리를 모두 입력해 주세요',
    'keypad.label': '숫자 키패드',
    'key.delete': '한 자리 지우기',
    'key.ok': '확인',
    'busy.title': '확인 중입니다…',
    'rejected.title': '인증번호를 확인할 수 없습니다',
    'rejected.body': '문자 메시지의 번호를 확인하고 다시 입력해 주세요.',
    'rejected.retry': '다시 입력',
    'locked.title': '잠시 후 다시 시도해 주세요',
    'locked.body': '확인되지 않은 입력이 여러 번 있어 키패드를 잠시 멈췄습니다.',
    'locked.admin': '확인되지 않은 입력이 너무 많아 키패드가 잠겼습니다. 관리자에게 알렸으며, 관리자가 잠금을 풀면 다시 사용할 수 있습니다.',
    'locked.remaining': '남은 시간',
    'locked.adminTitle': '키패드가 잠겼습니다',
    'locked.recheck': '다시 확인하기까지',
    'open.title': '문이 열렸습니다',
    'open.door': '보관함 번호',
    'open.pickup': '택배를 꺼낸 뒤 문을 꼭 닫아 주세요.',
    'open.return': '반송할 택배를 꺼낸 뒤 문을 꼭 닫아 주세요.',
    'done': '완료',
    'cancel': '취소',
    'fee.title': '보관료를 결제해 주세요',
    'fee.body': '카드를 결제 단말기에 대거나 꽂아 주세요.',
    'fee.none': '결제 단말기를 사용할 수 없습니다. 관리자에게 문의해 주세요.',
    'fee.failed': '결제가 완료되지 않았습니다. 다시 시도하거나 관리자에게 문의해 주세요.',
    'fault.title': '문이 열리지 않았습니다',
    'fault.body': '관리자에게 알렸습니다. 불편을 드려 죄송합니다.',
    'error.title': '일시적인 오류가 발생했습니다',
    'error.body': '잠시 후 다시 시도해 주세요.',
  },
  en: {
    'app.title': 'Parcel locker',
    'lang.other': '한국어',
    'setup.title': 'This kiosk is not set up',
    'setup.body': 'Open this screen once with the address an administrator issued (/kiosk/?token=…).',
    'code.title': 'Enter your 8-digit code',
    'code.hint': 'Type the code from your text message and press OK. Couriers enter return codes the same way.',
    'suffix.title': 'Enter the last 4 digits of your phone number',
    'suffix.hint': 'The phone number the text message went to. Couriers with a return code: leave it empty and press OK.',
    'entry.count': '{n} of {total} digits entered',
    'entry.short': 'Please enter all {total} digits',
    'keypad.label': 'Number keypad',
    'key.delete': 'Delete one digit',
    'key.ok': 'OK',
    'busy.title': 'Checking…',
    'rejected.title': 'The code was not accepted',
    'rejected.body': 'Check the number in your text message and try again.',
    'rejected.retry': 'Try again',
    'locked.title': 'Please wait before trying again',
    'locked.body': 'Too many codes were not accepted, so the keypad is paused for a while.',
    'locked.admin': 'Too many codes were not accepted, so the keypad is locked. The operator has been alerted and will unlock it.',
    'locked.remaining': 'Time left',
    'locked.adminTitle': 'The keypad is locked',
    'locked.recheck': 'Checking again in',
    'open.title': 'The door is open',
    'open.door': 'Compartment',
    'open.pickup': 'Close the door after taking your parcel.',
    'open.return': 'Close the door after taking the parcel for return.',
    'done': 'Done',
    'cancel': 'Cancel',
    'fee.title': 'A storage fee is due',
    'fee.body': 'Tap or insert your card at the card terminal.',
    'fee.none': 'The card terminal is not available. Please contact the operator.',
    'fee.failed': 'The payment did not go through. Try again or contact the operator.',
    'fault.title': 'The door did not open',
    'fault.body': 'The operator has been alerted. We are sorry for the trouble.',
    'error.title': 'Something went wrong',
    'error.body': 'Please try again in a moment.',
  },
};

export function translate(lang, key, values = {}) {
  const text = (STRINGS[lang] || STRINGS.ko)[key] ?? STRINGS.ko[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** Fill every element marked data-i18n (text) or data-i18n-aria (accessible name). */
export function applyLanguage(root, lang) {
  root.documentElement.lang = lang;
  root.title = translate(lang, 'app.title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = translate(lang, el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', translate(lang, el.dataset.i18nAria));
  }
}

export function formatMoney(lang, amount, currency) {
  try {
    return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}
