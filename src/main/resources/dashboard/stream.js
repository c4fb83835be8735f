// The event stream (GET /api/v1/events/, Server-Sent Events) read with fetch and a streaming
// reader, because EventSource cannot send the Authorization header. It keeps the last event id
// itself and reconnects on its own (after a node restart too), sending Last-Event-ID so that the
// server replays what happened meanwhile: no gap. "event: reset" means the cursor is too old or
// unknown; the page then re-lists and follows on.

import { apiFetch } from './api.js';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

export class TaskStream {
  // handlers: task(task), reset(), state('live' | 'reconnecting'), open()
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.lastEventId = '';
    this.retryMs = FIRST_RETRY_MS;
    this.stopped = false;
  }

  async run() {
    while (!this.stopped) {
      try {
        const headers = { Accept: 'text/event-stream' };
        if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
        const response = await apiFetch(this.path, { headers, cache: 'no-store' });
        if (!response.ok || !response.body) {
          throw new Error(`event stream answered ${response.status}`);
        }
        this.retryMs = FIRST_RETRY_MS;
        this.handlers.state('live');
        await this.handlers.open();
        await this.read(response.body);
      } catch (error) {
        // a dropped connection, a stopped node, a 503: try again, a little later each time
      }
      if (this.stopped) break;
      this.handlers.state('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    }
  }

  // The parsing rules of the WHATWG event-stream format.
  async read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = blank();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = lineEnd(buffer)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(buffer[end] === '\r' && buffer[end + 1] === '\n' ? end + 2 : end + 1);
        if (line === '') {
          this.dispatch(event);
          event = blank();
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let data = colon < 0 ? '' : line.slice(colon + 1);
          if (data.startsWith(' ')) data = data.slice(1);
          if (field === 'data') event.data.push(data);
          else if (field === 'event') event.type = data;
          else if (field === 'id' && !data.includes('\0')) event.id = data;
          else if (field === 'retry' && /^\d+$/.test(data)) this.retryMs = Number(data);
        }
      }
    }
  }

  dispatch(event) {
    if (event.type === 'reset') {
      // the old cursor is useless; a reset that brings its own id continues from there
      this.lastEventId = event.id ?? '';
      this.handlers.reset();
      return;
    }
    if (event.id !== null) this.lastEventId = event.id;
    if (event.data.length === 0) return;
    if (event.type === '' || event.type === 'task') {
      try {
        this.handlers.task(JSON.parse(event.data.join('\n')));
      } catch (error) {
        console.warn('event stream: unreadable event', error);
      }
    }
  }
}

function blank() {
  return { type: '', data: [], id: null };
}

// index of the first CR or LF, or -1; a CR at the very end waits for a possible LF
function lineEnd(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return i;
    if (c === '\r') return i + 1 < text.length ? i : -1;
  }
  return -1;
}
