// The resident's help screens: a lost or missing code, and problem reports (after a pickup or from the start).
import { formatPhone, isKoreanMobile, PHONE_MAX } from './phone.js';

let ui = null;

export function initHelp(context) {
  ui = context;
}

export function lostCode() {
  ui.form({
    title: 'lost.title', hint: 'lost.hint', kind: 'phone', max: PHONE_MAX,
    submit: (value) => (isKoreanMobile(value) ? resend(value) : 'phone.invalid'),
    actions: [{ key: 'home.back', run: () => ui.home() }],
  });
}

async function resend(digits) {
  ui.show('busy');
  let answer;
  try {
    answer = await ui.walkup.resend(formatPhone(digits));
  } catch {
    return ui.show('error');
  }
  // The service answers alike whether a parcel waits or not; so does the screen.
  if (answer.status === 202 || answer.status === 200) {
    return ui.notice({ title: 'lost.sentTitle', body: 'lost.sentBody', tone: 'ok',
      actions: [{ key: 'home.back', run: () => ui.home(), primary: true }] });
  }
  return ui.problem(answer, lostCode);
}

let reportCompartment = null;

export function reportProblem(compartment = null) {
  reportCompartment = compartment;
  ui.show('report');
}

export function reportHint(t) {
  return t(reportCompartment ? 'report.compartment' : 'report.hint', { label: reportCompartment });
}

export async function sendReport(kind) {
  ui.show('busy');
  let answer;
  try {
    answer = await ui.walkup.report(kind, reportCompartment);
  } catch {
    return ui.show('error');
  }
  if (answer.status === 202 || answer.status === 200 || answer.status === 201) {
    reportCompartment = null;
    return ui.notice({ title: 'report.sentTitle', body: 'report.sentBody', tone: 'ok',
      actions: [{ key: 'home.back', run: () => ui.home(), primary: true }] });
  }
  return ui.problem(answer, () => reportProblem(reportCompartment));
}
