// A task's history (GET /api/v1/tasks/{id}/history/) in a dialog, read again when the stream
// reports a change of that task while it is open; a task still new or processing can be cancelled
// from there.

import { getJson } from './api.js';
import { cancelTask } from './actions.js';
import { formatTime, isCancellable, statusBadge } from './format.js';

let shown = null;
let reading = 0;

// task: as the list has it (id, title, status, queue...)
export async function showHistory(task) {
  const dialog = document.getElementById('history');
  const message = document.getElementById('history-message');
  shown = task;
  document.getElementById('history-heading').textContent = `Task ${task.id}: ${task.title}`;
  document.getElementById('history-events').replaceChildren();
  message.textContent = 'Loading…';
  message.dataset.kind = '';
  showCancel();
  if (!dialog.open) dialog.showModal();
  document.getElementById('history-close').focus();
  await read();
}

// One change from the stream: if it is the task shown, the dialog follows it.
export function taskChanged(task) {
  if (!shown || shown.id !== task.id || !document.getElementById('history').open) return;
  if (task.status === shown.status && task.updated_at === shown.updated_at) return;
  shown = task;
  showCancel();
  read();
}

export function setUpHistory() {
  const dialog = document.getElementById('history');
  dialog.addEventListener('close', () => {
    shown = null;
  });
  document.getElementById('history-cancel').addEventListener('click', async () => {
    if (!shown) return;
    const message = document.getElementById('history-message');
    const task = await cancelTask(shown);
    if (!task || !shown || shown.id !== task.id) return;
    shown = task;
    showCancel();
    message.textContent = `Task ${task.id} cancelled.`;
    message.dataset.kind = '';
    document.getElementById('history-close').focus();
    read(false);
  });
}

function showCancel() {
  document.getElementById('history-cancel').hidden = !shown || !isCancellable(shown.status);
}

async function read(clearMessage = true) {
  const task = shown;
  const ticket = ++reading;
  const list = document.getElementById('history-events');
  const message = document.getElementById('history-message');
  try {
    const events = await getJson(`/api/v1/tasks/${encodeURIComponent(task.id)}/history/`);
    if (ticket !== reading) return;
    list.replaceChildren(...events.map(item));
    if (events.length === 0) message.textContent = 'No recorded events.';
    else if (clearMessage) message.textContent = '';
  } catch (error) {
    if (ticket !== reading) return;
    message.textContent = `History not available: ${error.message}`;
    message.dataset.kind = 'error';
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
  if (event.by) details.push(`asked by token ${event.by}`);
  if (event.reason) details.push(`reason: ${event.reason}`);
  if (details.length) li.append(` (${details.join(', ')})`);
  return li;
}
