// The queues (GET /api/v1/queues/): one row each with its exact counts, the age of its oldest
// waiting task, its consumers, whether it is paused and its cap, and the actions on it. Asked once
// a second while the page is visible; after an action the row shows the API's answer at once.

import { getJson } from './api.js';
import { cancelWaiting, setMaxRunning, setPaused } from './actions.js';
import { formatAge, formatCount } from './format.js';

const EVERY_MS = 1000;
// one page of the largest size the API gives; more queues are counted in the note, not shown
const SHOWN = 100;
const COUNTED = ['new', 'scheduled', 'processing', 'stalled', 'done', 'failed', 'cancelled'];

export class QueuesView {
  // onNames(names): the queues' names, whenever they change (for the filter and the form)
  constructor(body, note, message, onNames) {
    this.body = body;
    this.note = note;
    this.message = message;
    this.onNames = onNames;
    this.queues = new Map();
    this.rows = new Map();
    this.names = '';
    this.timer = null;
    // a newer call (or an action's answer) makes an older call's answer useless
    this.ticket = 0;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.refresh();
    });
  }

  async refresh() {
    clearTimeout(this.timer);
    const ticket = ++this.ticket;
    let page = null;
    let failure = null;
    try {
      page = await getJson(`/api/v1/queues/?page_size=${SHOWN}`);
    } catch (error) {
      failure = error;
    }
    if (ticket !== this.ticket) return;
    if (page) this.render(page);
    else this.note.textContent = `Queues not updated: ${failure.message}`;
    this.body.closest('table').dataset.stale = page ? 'false' : 'true';
    if (document.visibilityState === 'visible') {
      this.timer = setTimeout(() => this.refresh(), EVERY_MS);
    }
  }

  render(page) {
    const shown = page.results;
    this.queues = new Map(shown.map((queue) => [queue.name, queue]));
    for (const [name, row] of this.rows) {
      if (!this.queues.has(name)) {
        row.remove();
        this.rows.delete(name);
      }
    }
    let previous = null;
    for (const queue of shown) {
      let row = this.rows.get(queue.name);
      if (!row) {
        row = this.createRow(queue.name);
        this.rows.set(queue.name, row);
      }
      this.updateRow(row, queue);
      const place = previous ? previous.nextSibling : this.body.firstChild;
      if (place !== row) this.body.insertBefore(row, place);
      previous = row;
    }
    this.note.textContent =
      shown.length === 0
        ? 'No queue yet: a queue appears with its first task, its settings or a worker naming it.'
        : page.count > shown.length
          ? `The first ${shown.length} of ${formatCount(page.count)} queues, by name.`
          : '';
    const names = shown.map((queue) => queue.name);
    if (names.join('\n') !== this.names) {
      this.names = names.join('\n');
      this.onNames(names);
    }
  }

  // One queue as an action's answer has it: shown at once, and older answers are dropped.
  show(queue) {
    this.ticket++;
    this.queues.set(queue.name, queue);
    const row = this.rows.get(queue.name);
    if (row) this.updateRow(row, queue);
  }

  createRow(name) {
    const row = document.createElement('tr');
    row.dataset.queue = name;
    const head = document.createElement('th');
    head.scope = 'row';
    head.className = 'name';
    head.textContent = name;
    head.title = name;
    row.append(head);
    for (const status of COUNTED) {
      const cell = document.createElement('td');
      cell.className = 'num';
      cell.dataset.count = status;
      row.append(cell);
    }
    for (const field of ['age', 'consumers', 'state', 'cap']) {
      const cell = document.createElement('td');
      cell.className = field === 'state' ? 'state' : 'num';
      cell.dataset.field = field;
      row.append(cell);
    }
    const actions = document.createElement('td');
    actions.className = 'actions';
    actions.append(
      this.button('pause', name, () => this.togglePause(name)),
      this.button('cap', name, () => this.changeCap(name)),
      this.button('cancel', name, () => this.cancelWaiting(name)),
    );
    row.append(actions);
    return row;
  }

  button(action, name, onClick) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.action = action;
    if (action === 'cap') {
      button.textContent = 'Cap…';
      button.setAttribute('aria-label', `Set the cap of queue ${name}`);
    } else if (action === 'cancel') {
      button.textContent = 'Cancel waiting…';
      button.setAttribute('aria-label', `Cancel the waiting tasks of queue ${name}`);
    }
    button.addEventListener('click', onClick);
    return button;
  }

  updateRow(row, queue) {
    row.dataset.paused = String(queue.paused);
    row.dataset.maxRunning = queue.max_running === null ? '' : String(queue.max_running);
    for (const status of COUNTED) {
      row.querySelector(`[data-count="${status}"]`).textContent = formatCount(queue.counts?.[status]);
    }
    const age = row.querySelector('[data-field="age"]');
    age.textContent = formatAge(queue.oldest_new_age_seconds);
    age.title = queue.oldest_new_age_seconds === null ? 'Nothing waits' : `${queue.oldest_new_age_seconds} s`;
    row.querySelector('[data-field="consumers"]').textContent = formatCount(queue.consumers);
    const state = row.querySelector('[data-field="state"]');
    state.replaceChildren(stateBadge(queue.paused));
    row.querySelector('[data-field="cap"]').textContent =
      queue.max_running === null ? 'none' : formatCount(queue.max_running);
    const pause = row.querySelector('[data-action="pause"]');
    pause.textContent = queue.paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-label', `${queue.paused ? 'Resume' : 'Pause'} queue ${queue.name}`);
  }

  async togglePause(name) {
    const queue = this.queues.get(name);
    if (!queue) return;
    const answer = await setPaused(queue, !queue.paused);
    if (!answer) return;
    this.show(answer);
    this.tell(`Queue ${answer.name} ${answer.paused ? 'paused' : 'resumed'}.`);
    this.refresh();
  }

  async changeCap(name) {
    const queue = this.queues.get(name);
    if (!queue) return;
    const answer = await setMaxRunning(queue);
    if (!answer) return;
    this.show(answer);
    this.tell(
      answer.max_running === null
        ? `Queue ${answer.name} has no cap.`
        : `Queue ${answer.name}: at most ${formatCount(answer.max_running)} processing at once.`,
    );
    this.refresh();
  }

  async cancelWaiting(name) {
    const queue = this.queues.get(name);
    if (!queue) return;
    const answer = await cancelWaiting(queue);
    if (!answer) return;
    const n = answer.cancelled;
    this.tell(`Cancelled ${formatCount(n)} waiting ${n === 1 ? 'task' : 'tasks'} of queue ${name}.`);
    this.refresh();
  }

  tell(text) {
    this.message.textContent = text;
  }
}

function stateBadge(paused) {
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.state = paused ? 'paused' : 'running';
  const glyph = document.createElement('span');
  glyph.className = 'glyph';
  glyph.setAttribute('aria-hidden', 'true');
  glyph.textContent = paused ? '‖' : '▸';
  badge.append(glyph, paused ? ' paused' : ' running');
  return badge;
}
