// Hooks the locker's controller fills in (window.lockerDevice), so this page never needs to know the hardware:
//   openDoor(label) -> Promise<boolean>   false when the door did not open
//   pay({amount, currency}) -> Promise<string>   the card terminal's payment_reference
// Behind the locker agent the doors are the agent's: it opens them before it answers, and its "doors"
// ({"A03": "opened" | "failed"}) is what openDoor reports.
// In a plain browser there is no device: doors are left to the controller and fees cannot be paid here.

const agentDoors = new Map();

/** What the agent said about the doors of its last answer. */
export function rememberDoors(doors) {
  for (const [label, result] of Object.entries(doors || {})) agentDoors.set(label, result);
}

function device() {
  return window.lockerDevice || null;
}

/** true/false as the agent or the controller reports, null when there is no one to ask. */
export async function openDoor(label) {
  if (agentDoors.has(label)) {
    const result = agentDoors.get(label);
    agentDoors.delete(label);
    return result === 'opened';
  }
  const hooks = device();
  if (!hooks || typeof hooks.openDoor !== 'function') return null;
  try {
    return (await hooks.openDoor(label)) !== false;
  } catch {
    return false;
  }
}

export function hasPaymentTerminal() {
  const hooks = device();
  return Boolean(hooks && typeof hooks.pay === 'function');
}

export async function collectPayment(fee) {
  const reference = await device().pay(fee);
  if (typeof reference !== 'string' || !reference) throw new Error('no payment reference');
  return reference;
}
