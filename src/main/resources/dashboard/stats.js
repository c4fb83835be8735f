// The cluster's figures from GET /api/v1/stats/: exact counts, throughput, completion times and
// tasks in flight per worker. The node answers from memory (at most one database read per second
// whatever the number of viewers); the page asks once a second while it is visible.

import { getJson } from './api.js';
import { formatCount, formatSeconds, STATUSES } from './format.js';

const EVERY_MS = 1000;

export class StatsView {
  constructor(chart, onError) {
    this.chart = chart;
    this.onError = onError;
    this.timer = null;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.refresh();
    });
  }

  async refresh() {
    clearTimeout(this.timer);
    try {
      this.render(await getJson('/api/v1/stats/'));
      this.onError(null);
    } catch (error) {
      this.onError(error);
    }
    if (document.visibilityState === 'visible') {
      this.timer = setTimeout(() => this.refresh(), EVERY_MS);
    }
  }

  render(stats) {
    for (const status of STATUSES) {
      document.getElementById(`count-${status}`).textContent = formatCount(stats.counts?.[status]);
    }
    document.getElementById('counts-note').textContent = stats.counts
      ? 'Exact counts, refreshed every second.'
      : 'Exact counts are not available on this node.';
    document.getElementById('p50').textContent = formatSeconds(stats.completion.p50_seconds);
    document.getElementById('p95').textContent = formatSeconds(stats.completion.p95_seconds);
    document.getElementById('completions').textContent = formatCount(stats.completion.count);
    this.renderWorkers(stats.workers);
    this.chart.update(stats.throughput, stats.since);
    if (!this.shown) {
      this.shown = true;
      // for measuring: when the figures first showed (User Timing)
      performance.mark('dashboard:figures');
    }
  }

  renderWorkers(workers) {
    const body = document.getElementById('workers');
    const most = Math.max(1, ...workers.map((w) => w.in_flight));
    body.replaceChildren(
      ...workers.map((w) => {
        const row = document.createElement('tr');
        const name = document.createElement('td');
        name.textContent = w.worker ?? '(no holder)';
        const count = document.createElement('td');
        count.className = 'num';
        const meter = document.createElement('meter');
        meter.min = 0;
        meter.max = most;
        meter.value = w.in_flight;
        meter.setAttribute('aria-hidden', 'true');
        count.append(meter, ` ${formatCount(w.in_flight)}`);
        row.append(name, count);
        return row;
      }),
    );
    document.getElementById('workers-note').textContent =
      workers.length === 0 ? 'No task is being processed.' : '';
  }
}
