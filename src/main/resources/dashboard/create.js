// The form that creates a task (POST /api/v1/tasks/) with its queue, priority and scheduled time;
// the new task then shows up through the event stream like any other. The API checks every field:
// its messages are shown beside the form, and the fields it names are marked.

import { apiFetch, body } from './api.js';

// field name in the API → the form's input and how the message names it
const FIELDS = {
  title: { id: 'create-title', label: '' },
  queue: { id: 'create-queue', label: 'Queue: ' },
  priority: { id: 'create-priority', label: 'Priority: ' },
  run_after: { id: 'create-run-after', label: 'Run after: ' },
};

export function setUpCreateForm(onCreated) {
  const form = document.getElementById('create-form');
  const message = document.getElementById('create-message');
  const input = (field) => document.getElementById(FIELDS[field].id);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    message.textContent = 'Creating…';
    message.dataset.kind = '';
    for (const field of Object.keys(FIELDS)) input(field).removeAttribute('aria-invalid');
    try {
      const response = await apiFetch('/api/v1/tasks/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(taskOf(input)),
      });
      const answer = await body(response);
      if (response.status === 201) {
        message.textContent = `Created task ${answer.id} in queue ${answer.queue}.`;
        // the queue, priority and time stay: the next task is often like this one
        input('title').value = '';
        onCreated(answer);
      } else {
        showErrors(answer, response.status, message, input);
      }
    } catch (error) {
      message.textContent = `Not created: ${error.message}`;
      message.dataset.kind = 'error';
    } finally {
      button.disabled = false;
    }
  });
}

// Only what was filled in is sent: the API's defaults (queue "default", priority 0, now) apply.
function taskOf(input) {
  const task = { title: input('title').value };
  const queue = input('queue').value.trim();
  if (queue) task.queue = queue;
  const priority = input('priority').value.trim();
  // a whole number as a number; anything else as typed, so that the API says what is wrong
  if (priority) task.priority = /^\d+$/.test(priority) ? Number(priority) : priority;
  const runAfter = input('run_after').value;
  if (runAfter) {
    // the browser's local time, sent with its offset (as UTC)
    const at = new Date(runAfter);
    task.run_after = Number.isNaN(at.getTime()) ? runAfter : at.toISOString();
  }
  return task;
}

function showErrors(answer, status, message, input) {
  const parts = [];
  let first = null;
  for (const [field, { label }] of Object.entries(FIELDS)) {
    const errors = answer?.[field];
    if (!Array.isArray(errors)) continue;
    parts.push(label + errors.join(' '));
    input(field).setAttribute('aria-invalid', 'true');
    first ??= input(field);
  }
  if (Array.isArray(answer?.non_field_errors)) parts.push(answer.non_field_errors.join(' '));
  message.textContent = parts.length ? parts.join(' ') : (answer?.detail ?? `HTTP ${status}`);
  message.dataset.kind = 'error';
  (first ?? input('title')).focus();
}
