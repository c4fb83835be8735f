// Small formatting helpers shared by the views.

export const STATUSES = ['new', 'processing', 'done', 'failed'];

// shapes, not only colours, tell the statuses apart
export const GLYPHS = { new: '○', processing: '◔', done: '✓', failed: '✕' };

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
