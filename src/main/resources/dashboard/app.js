// The dashboard page: wires the views to the API, the event stream and the stats endpoint.

import { TaskStream } from './stream.js';
import { LatestTasks } from './tasks.js';
import { ThroughputChart } from './chart.js';
import { StatsView } from './stats.js';
import { showHistory } from './history.js';
import { setUpCreateForm } from './create.js';

const STATES = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function showConnection(state) {
  document.getElementById('connection').dataset.state = state;
  document.getElementById('connection-text').textContent = STATES[state];
}

const tasks = new LatestTasks(
  document.getElementById('tasks'),
  document.getElementById('tasks-note'),
  showHistory,
);
const chart = new ThroughputChart(
  document.getElementById('chart'),
  document.getElementById('chart-summary'),
);
const stats = new StatsView(chart, (error) => {
  document.getElementById('counts').dataset.stale = error ? 'true' : 'false';
  if (error) document.getElementById('counts-note').textContent = `Figures not updated: ${error.message}`;
});

let listed = false;
function listOnce() {
  if (listed) return;
  listed = true;
  relist();
}
function relist() {
  tasks.list().catch((error) => {
    document.getElementById('tasks-note').textContent = `Tasks not loaded: ${error.message}`;
  });
}

for (const radio of document.querySelectorAll('input[name="filter"]')) {
  radio.addEventListener('change', () => {
    if (radio.checked) {
      listed = true;
      tasks.setFilter(radio.value).catch((error) => {
        document.getElementById('tasks-note').textContent = `Tasks not loaded: ${error.message}`;
      });
    }
  });
}

setUpCreateForm((task) => tasks.apply(task));

// The stream first, then the list: whatever changes after the list was read arrives as an event.
const stream = new TaskStream('/api/v1/events/', {
  task: (task) => tasks.apply(task),
  reset: relist,
  open: listOnce,
  state: (state) => {
    showConnection(state);
    // no stream yet: show the tasks anyway
    if (state === 'reconnecting') listOnce();
  },
});
showConnection('connecting');
stream.run();
stats.refresh();
