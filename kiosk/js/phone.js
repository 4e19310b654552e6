// Korean mobile numbers as typed on the keypad: guidance only, the service decides (it knows the site's country).
export const PHONE_MAX = 11;

/** 010-1234-5678, 011-123-4567: 01 then 0/1/6/7/8/9, then 7 or 8 digits. */
export function isKoreanMobile(digits) {
  return /^01[016789]\d{7,8}$/.test(digits);
}

/** Groups the digits as they are typed: 010-1234-5678, 011-123-4567. */
export function formatPhone(digits) {
  if (digits.length <= 3) return digits;
  if (digits.length <= 7) return `${digits.slice(0, 3)}-${digits.slice(3)}`;
  const middle = digits.length === 11 ? 4 : 3;
  return `${digits.slice(0, 3)}-${digits.slice(3, 3 + middle)}-${digits.slice(3 + middle)}`;
}

/** 010-****-5678: what the courier sees of the recipient after typing the number. */
export function maskPhone(digits) {
  const formatted = formatPhone(digits).split('-');
  if (formatted.length < 3) return formatted.join('-');
  return `${formatted[0]}-${'*'.repeat(formatted[1].length)}-${formatted[2]}`;
}
