// Admin remote opens: poll the server, let the controller open the door, acknowledge the result.
import { openDoor } from './device.js';

export function pollCommands(api, { everyMs = 5000, onUnauthorized = () => {} } = {}) {
  let running = false;
  async function poll() {
    if (running) return;
    running = true;
    try {
      const answer = await api.commands();
      if (answer.status === 401) {
        onUnauthorized();
        return;
      }
      if (answer.status !== 200 || !answer.data) return;
      for (const command of answer.data.commands || []) {
        if (command.kind !== 'open') continue;
        const opened = await openDoor(command.compartment);
        // Without a controller nothing was opened: leave the command to expire so the admin sees no ack.
        if (opened !== null) await api.ack(command.id, opened ? 'opened' : 'failed');
      }
    } catch {
      // Offline for a moment: try again at the next tick.
    } finally {
      running = false;
    }
  }
  return window.setInterval(poll, everyMs);
}
