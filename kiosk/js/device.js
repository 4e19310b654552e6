// Hooks the locker's controller fills in (window.lockerDevice), so this page never needs to know the hardware:
//   openDoor(label) -> Promise<boolean>   false when the door did not open
//   pay({amount, currency}) -> Promise<string>   the card terminal's payment_reference
// In a plain browser there is no device: doors are left to the controller and fees cannot be paid here.

function device() {
  return window.lockerDevice || null;
}

/** true/false as the controller reports, null when there is no controller to ask. */
export async function openDoor(label) {
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
