// The form that creates a task (POST /api/v1/tasks/); the new task then shows up through the
// event stream like any other.

import { apiFetch, body } from './api.js';

export function setUpCreateForm(onCreated) {
  const form = document.getElementById('create-form');
  const input = document.getElementById('create-title');
  const message = document.getElementById('create-message');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    message.textContent = 'Creating…';
    message.dataset.kind = '';
    input.removeAttribute('aria-invalid');
    try {
      const response = await apiFetch('/api/v1/tasks/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: input.value }),
      });
      const answer = await body(response);
      if (response.status === 201) {
        message.textContent = `Created task ${answer.id}.`;
        input.value = '';
        onCreated(answer);
      } else {
        const errors = answer?.title ?? answer?.non_field_errors;
        message.textContent = Array.isArray(errors) ? errors.join(' ') : answer?.detail ?? `HTTP ${response.status}`;
        message.dataset.kind = 'error';
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    } catch (error) {
      message.textContent = `Not created: ${error.message}`;
      message.dataset.kind = 'error';
    } finally {
      button.disabled = false;
    }
  });
}
