// A task's history (GET /api/v1/tasks/{id}/history/) in a dialog.

import { getJson } from './api.js';
import { formatTime, statusBadge } from './format.js';

export async function showHistory(id, title) {
  const dialog = document.getElementById('history');
  const list = document.getElementById('history-events');
  const message = document.getElementById('history-message');
  document.getElementById('history-heading').textContent = `Task ${id}: ${title}`;
  list.replaceChildren();
  message.textContent = 'Loading…';
  if (!dialog.open) dialog.showModal();
  document.getElementById('history-close').focus();
  try {
    const events = await getJson(`/api/v1/tasks/${encodeURIComponent(id)}/history/`);
    list.replaceChildren(...events.map(item));
    message.textContent = events.length === 0 ? 'No recorded events.' : '';
  } catch (error) {
    message.textContent = `History not available: ${error.message}`;
  }
}

function item(event) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.dateTime = event.at;
  time.textContent = formatTime(event.at);
  const kind = document.createElement('strong');
  kind.textContent = event.event;
  li.append(time, ' ', kind, ' → ', statusBadge(event.status));
  const details = [];
  if (event.result) details.push(`result ${event.result}`);
  if (event.worker) details.push(`by ${event.worker}`);
  if (event.reason) details.push(`reason: ${event.reason}`);
  if (details.length) li.append(` (${details.join(', ')})`);
  return li;
}
