// Calls to the API. With TASKS_API_TOKENS set, every call carries "Authorization: Bearer <token>";
// the token is asked for once and kept in this tab's sessionStorage, never in a URL.

const KEY = 'task-service.token';
let asking = null;

export function authorization() {
  const token = sessionStorage.getItem(KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// Resolves once the user has entered a token. Calls that get a 401 meanwhile share one prompt.
export function askForToken(rejected) {
  if (!asking) {
    asking = prompt(rejected).finally(() => { asking = null; });
  }
  return asking;
}

function prompt(rejected) {
  const dialog = document.getElementById('token');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const reason = document.getElementById('token-reason');
  reason.textContent = rejected
    ? 'That token was not accepted. Enter another one; it is kept for this tab only.'
    : 'This service requires a bearer token. It is kept for this tab only.';
  input.value = '';
  return new Promise((resolve) => {
    // nothing works without a token: Escape does not dismiss the question
    const cancel = (event) => event.preventDefault();
    const submit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) {
        input.focus();
        return;
      }
      sessionStorage.setItem(KEY, token);
      form.removeEventListener('submit', submit);
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      resolve();
    };
    form.addEventListener('submit', submit);
    dialog.addEventListener('cancel', cancel);
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
}

// fetch() with the token; on 401 asks for a token and tries again.
export async function apiFetch(path, options = {}) {
  for (;;) {
    const sent = sessionStorage.getItem(KEY);
    const response = await fetch(path, {
      ...options,
      headers: { Accept: 'application/json', ...options.headers, ...authorization() },
    });
    if (response.status !== 401) return response;
    // another call may have got a new token meanwhile: try that one first
    if (sessionStorage.getItem(KEY) !== sent) continue;
    if (sent !== null) sessionStorage.removeItem(KEY);
    await askForToken(sent !== null);
  }
}

export async function getJson(path) {
  const response = await apiFetch(path);
  if (!response.ok) throw new ApiError(response.status, await body(response));
  return response.json();
}

// A call that changes something (a cancel, a queue's settings): the token is sent like on every
// call; a 2xx answers the body, anything else fails with the API's own words.
export async function send(method, path, data) {
  const options = { method };
  if (data !== undefined) {
    options.headers = { 'Content-Type': 'application/json' };
    options.body = JSON.stringify(data);
  }
  const response = await apiFetch(path, options);
  const answer = await body(response);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(body) ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// {"detail": "..."} as it is; DRF's field errors ({"max_running": ["..."]}) field by field
function describe(body) {
  if (typeof body?.detail === 'string') return body.detail;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const parts = Object.entries(body).map(([field, errors]) => {
    const text = Array.isArray(errors) ? errors.join(' ') : String(errors);
    return field === 'non_field_errors' ? text : `${field}: ${text}`;
  });
  return parts.length ? parts.join(' ') : null;
}

export async function body(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}
