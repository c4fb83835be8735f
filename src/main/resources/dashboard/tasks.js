// The latest tasks, newest first, optionally of one status and of one queue. Filled by a list call,
// then kept up to date by the event stream: a row changes in place when its task changes.

import { getJson } from './api.js';
import { formatDateTime, formatTime, isCancellable, statusBadge, STATUSES } from './format.js';

const SHOWN = 25;
const RANK = { new: 0, processing: 1, done: 2, failed: 2, cancelled: 2 };

export class LatestTasks {
  // openHistory(task), cancel(task): what a row's title and its cancel button do
  constructor(body, note, openHistory, cancel) {
    this.body = body;
    this.note = note;
    this.openHistory = openHistory;
    this.cancel = cancel;
    this.status = '';
    this.queue = '';
    this.tasks = new Map();
    this.rows = new Map();
    this.loaded = false;
    this.listing = 0;
    // changes the stream delivers while a list call is on its way: applied again on its result
    this.duringList = null;
  }

  // Re-lists from the API (at start, on a filter change, on a stream reset).
  async list() {
    const ticket = ++this.listing;
    const query = new URLSearchParams({ page_size: String(SHOWN), cursor: '' });
    if (this.status) query.set('status', this.status);
    if (this.queue) query.set('queue', this.queue);
    this.duringList = [];
    let page;
    try {
      page = await getJson(`/api/v1/tasks/?${query}`);
    } finally {
      if (ticket === this.listing && !page) this.duringList = null;
    }
    if (ticket !== this.listing) return;
    const changes = this.duringList;
    this.duringList = null;
    this.tasks.clear();
    for (const task of page.results) this.tasks.set(task.id, task);
    for (const task of changes) this.apply(task, false);
    if (!this.loaded && performance.getEntriesByName('dashboard:tasks').length === 0) {
      performance.mark('dashboard:tasks');
    }
    this.loaded = true;
    this.render();
  }

  setFilter(status) {
    if (!STATUSES.includes(status)) status = '';
    this.status = status;
    return this.relist();
  }

  setQueue(queue) {
    this.queue = queue;
    return this.relist();
  }

  relist() {
    this.loaded = false;
    this.tasks.clear();
    this.render();
    return this.list();
  }

  matches(task) {
    return (!this.status || task.status === this.status) && (!this.queue || task.queue === this.queue);
  }

  // One change from the stream.
  apply(task, render = true) {
    if (this.duringList) this.duringList.push(task);
    const known = this.tasks.get(task.id);
    // a change may arrive twice around a resume, or after the list already showed a later state
    if (known && !isNewer(task, known)) return;
    if (!this.matches(task)) {
      if (known) this.tasks.delete(task.id);
    } else {
      this.tasks.set(task.id, task);
    }
    if (render) this.render();
  }

  render() {
    const shown = [...this.tasks.values()].sort((a, b) => b.id - a.id).slice(0, SHOWN);
    // keep the model as small as what is shown
    if (this.loaded && this.tasks.size > SHOWN) {
      this.tasks = new Map(shown.map((task) => [task.id, task]));
    }
    const wanted = new Set(shown.map((task) => task.id));
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    let previous = null;
    for (const task of shown) {
      let row = this.rows.get(task.id);
      if (!row) {
        row = this.createRow(task);
        this.rows.set(task.id, row);
      } else if (row.dataset.status !== task.status || row.dataset.updated !== task.updated_at) {
        this.updateRow(row, task);
      }
      const place = previous ? previous.nextSibling : this.body.firstChild;
      if (place !== row) this.body.insertBefore(row, place);
      previous = row;
    }
    this.note.textContent = !this.loaded
      ? 'Loading…'
      : shown.length === 0
        ? this.emptyNote()
        : '';
  }

  emptyNote() {
    if (!this.status && !this.queue) return 'No task yet.';
    const queue = this.queue ? ` in queue ${this.queue}` : '';
    return `No ${this.status ? `${this.status} ` : ''}task${queue}.`;
  }

  createRow(task) {
    const row = document.createElement('tr');
    row.dataset.id = String(task.id);
    const id = document.createElement('td');
    id.className = 'num';
    id.textContent = String(task.id);
    const title = document.createElement('td');
    title.className = 'title';
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = task.title;
    open.setAttribute('aria-label', `History of task ${task.id}: ${task.title}`);
    open.addEventListener('click', () => this.openHistory(this.tasks.get(task.id) ?? task));
    // at a phone's width the queue, priority and schedule columns give way to this line
    const meta = document.createElement('span');
    meta.className = 'meta';
    title.append(open, meta);
    const queue = document.createElement('td');
    queue.className = 'queue';
    queue.textContent = task.queue;
    queue.title = task.queue;
    const priority = document.createElement('td');
    priority.className = 'num priority';
    priority.textContent = String(task.priority);
    const status = document.createElement('td');
    status.className = 'status';
    const runAfter = document.createElement('td');
    runAfter.className = 'run-after';
    const when = document.createElement('td');
    when.className = 'when';
    const action = document.createElement('td');
    action.className = 'action';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'small';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('aria-label', `Cancel task ${task.id}: ${task.title}`);
    cancel.addEventListener('click', () => this.cancel(this.tasks.get(task.id) ?? task));
    action.append(cancel);
    row.append(id, title, queue, priority, status, runAfter, when, action);
    this.updateRow(row, task, false);
    return row;
  }

  updateRow(row, task, highlight = true) {
    row.dataset.status = task.status;
    row.dataset.updated = task.updated_at;
    row.dataset.queue = task.queue;
    const status = row.querySelector('td.status');
    status.replaceChildren(statusBadge(task.status));
    status.title = task.result ? `result: ${task.result}` : '';
    const runAfter = row.querySelector('td.run-after');
    runAfter.textContent = scheduleText(task);
    runAfter.title = task.run_after ? `run after ${task.run_after}` : '';
    row.querySelector('.meta').textContent = [task.queue, `priority ${task.priority}`, scheduleText(task)]
      .filter(Boolean)
      .join(' · ');
    row.querySelector('td.when').textContent = formatTime(task.updated_at);
    // a final task cannot be cancelled: its button goes (and with it a tab stop)
    row.querySelector('td.action button').hidden = !isCancellable(task.status);
    if (highlight) {
      row.classList.remove('changed');
      // restart the highlight animation
      void row.offsetWidth;
      row.classList.add('changed');
    }
  }
}

// "⏲ 14:05:00" while a new task waits for its time, the time alone once it has passed
function scheduleText(task) {
  if (!task.run_after) return '';
  const time = formatDateTime(task.run_after);
  const waiting = task.status === 'new' && Date.parse(task.run_after) > Date.now();
  return waiting ? `⏲ ${time}` : time;
}

// Later changes win, so a task handed back to new (a lost worker) shows as new again; a repeat has
// the same time and is ignored. Within one millisecond (what Date keeps) the further status wins.
function isNewer(task, known) {
  const later = Date.parse(task.updated_at) - Date.parse(known.updated_at);
  if (later !== 0) return later > 0;
  return RANK[task.status] > RANK[known.status];
}
