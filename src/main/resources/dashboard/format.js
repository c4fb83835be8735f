// Small formatting helpers shared by the views.

export const STATUSES = ['new', 'processing', 'done', 'failed', 'cancelled'];

// shapes, not only colours, tell the statuses apart
export const GLYPHS = { new: '○', processing: '◔', done: '✓', failed: '✕', cancelled: '⊘' };

// the statuses a task may still be cancelled in
export function isCancellable(status) {
  return status === 'new' || status === 'processing';
}

const number = new Intl.NumberFormat();

export function formatCount(value) {
  return value === null || value === undefined ? '–' : number.format(value);
}

export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString();
}

// the time alone on the same day, the date too otherwise (a task scheduled for next week)
export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString()
    : date.toLocaleString();
}

// an age in seconds as a person says it: 42 s, 3 min, 2.5 h
export function formatAge(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

// <span class="badge" data-status="done"><span aria-hidden>✓</span> done</span>
export function statusBadge(status) {
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.status = status;
  const glyph = document.createElement('span');
  glyph.className = 'glyph';
  glyph.setAttribute('aria-hidden', 'true');
  glyph.textContent = GLYPHS[status] ?? '?';
  badge.append(glyph, ` ${status}`);
  return badge;
}
