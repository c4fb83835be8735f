// What an operator can change from the page: cancel a task, pause or resume a queue, set or clear
// its cap, cancel its waiting tasks. Each asks first (confirm.js) and resolves with the API's
// answer, or with null when the user went back.

import { send } from './api.js';
import { confirmAction } from './confirm.js';
import { formatCount } from './format.js';

function queuePath(name) {
  return `/api/v1/queues/${encodeURIComponent(name)}/`;
}

// Resolves with the task as the API answers it, now cancelled.
export function cancelTask(task) {
  return confirmAction({
    heading: `Cancel task ${task.id}?`,
    text:
      `“${task.title}” is ${task.status} in queue ${task.queue}. A cancelled task is never run ` +
      'or completed: a worker holding it drops it. This cannot be undone.',
    confirm: 'Cancel task',
    destructive: true,
    run: () => send('POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/cancel/`),
  });
}

// Resolves with the queue as the API answers it.
export function setPaused(queue, paused) {
  return confirmAction({
    heading: `${paused ? 'Pause' : 'Resume'} queue ${queue.name}?`,
    text: paused
      ? 'No worker claims its tasks until it is resumed. Tasks already processing finish; ' +
        'new tasks are kept and wait.'
      : 'Workers claim its waiting tasks again, at once.',
    confirm: paused ? 'Pause queue' : 'Resume queue',
    run: () => send('PATCH', queuePath(queue.name), { paused }),
  });
}

// Resolves with the queue as the API answers it.
export function setMaxRunning(queue) {
  return confirmAction({
    heading: `Cap of queue ${queue.name}`,
    text:
      'The most tasks of this queue processing at once, across every worker. Lowering it stops ' +
      'nothing that runs: no new claim is made until the queue is under the new cap.',
    confirm: 'Set cap',
    field: {
      label: 'Most tasks processing at once',
      value: queue.max_running === null ? '' : String(queue.max_running),
      hint: 'Empty: no cap.',
    },
    run: (value) => send('PATCH', queuePath(queue.name), { max_running: capOf(value) }),
  });
}

// a whole number as a number, empty as no cap; anything else as typed, for the API's own message
function capOf(value) {
  const text = value.trim();
  if (text === '') return null;
  return /^\d+$/.test(text) ? Number(text) : text;
}

// Resolves with {cancelled: N}.
export function cancelWaiting(queue) {
  const waiting = queue.counts?.new ?? 0;
  const scheduled = queue.counts?.scheduled ?? 0;
  return confirmAction({
    heading: `Cancel the waiting tasks of queue ${queue.name}?`,
    text:
      `${formatCount(waiting)} waiting (new) now, ${formatCount(scheduled)} of them scheduled for ` +
      'later. Every task of this queue still new when you confirm is cancelled; tasks ' +
      'processing are left to finish. This cannot be undone.',
    confirm: 'Cancel waiting tasks',
    destructive: true,
    run: () => send('POST', `/api/v1/tasks/cancel/?${new URLSearchParams({ queue: queue.name })}`),
  });
}
