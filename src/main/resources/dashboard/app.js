// The dashboard page: wires the views to the API, the event stream, the stats and the queues.

import { TaskStream } from './stream.js';
import { LatestTasks } from './tasks.js';
import { ThroughputChart } from './chart.js';
import { StatsView } from './stats.js';
import { QueuesView } from './queues.js';
import { setUpHistory, showHistory, taskChanged } from './history.js';
import { setUpCreateForm } from './create.js';
import { cancelTask } from './actions.js';

const STATES = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function showConnection(state) {
  document.getElementById('connection').dataset.state = state;
  document.getElementById('connection-text').textContent = STATES[state];
}

const tasksMessage = document.getElementById('tasks-message');
const tasks = new LatestTasks(
  document.getElementById('tasks'),
  document.getElementById('tasks-note'),
  showHistory,
  async (task) => {
    const cancelled = await cancelTask(task);
    if (!cancelled) return;
    // shown at once; the stream's event for it then changes nothing
    tasks.apply(cancelled);
    taskChanged(cancelled);
    tasksMessage.textContent = `Task ${cancelled.id} cancelled.`;
  },
);
setUpHistory();
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

const queueFilter = document.getElementById('queue-filter');
queueFilter.addEventListener('change', () => {
  listed = true;
  tasks.setQueue(queueFilter.value).catch((error) => {
    document.getElementById('tasks-note').textContent = `Tasks not loaded: ${error.message}`;
  });
});

// The queues' names feed the filter and the form's suggestions; the chosen queue stays chosen
// even when it is gone from the list.
function showQueueNames(names) {
  const chosen = queueFilter.value;
  const options = [...new Set([...names, ...(chosen ? [chosen] : [])])].sort();
  queueFilter.replaceChildren(
    new Option('all queues', ''),
    ...options.map((name) => new Option(name, name)),
  );
  queueFilter.value = chosen;
  document.getElementById('queue-names').replaceChildren(...names.map((name) => new Option(name)));
}

const queues = new QueuesView(
  document.getElementById('queues'),
  document.getElementById('queues-note'),
  document.getElementById('queues-message'),
  showQueueNames,
);

// The stream first, then the list: whatever changes after the list was read arrives as an event.
const stream = new TaskStream('/api/v1/events/', {
  task: (task) => {
    tasks.apply(task);
    taskChanged(task);
  },
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
queues.refresh();
