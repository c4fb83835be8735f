// The throughput chart, drawn on a canvas: created (solid) and finished (dashed) per second over
// the last 15 minutes, with a text summary beside it for screen readers.

export class ThroughputChart {
  constructor(canvas, summary) {
    this.canvas = canvas;
    this.summary = summary;
    this.data = null;
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw());
  }

  // throughput: {step_seconds, end, created: [...], finished: [...]}; since: ISO time
  update(throughput, since) {
    this.data = { ...throughput, since };
    // what is drawn, for tests and tools that cannot read a canvas
    this.canvas.dataset.points = String(Math.max(throughput.created.length, throughput.finished.length));
    this.canvas.dataset.created = String(sum(throughput.created));
    this.canvas.dataset.finished = String(sum(throughput.finished));
    this.draw();
    this.summarize();
  }

  draw() {
    const box = this.canvas.parentElement.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.floor(box.width));
    const height = Math.max(1, Math.floor(box.height));
    if (this.canvas.width !== width * ratio || this.canvas.height !== height * ratio) {
      this.canvas.width = width * ratio;
      this.canvas.height = height * ratio;
    }
    const g = this.canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const css = getComputedStyle(this.canvas);
    const color = (name) => css.getPropertyValue(name).trim();
    g.font = `12px ${css.fontFamily}`;

    const created = this.data?.created ?? [];
    const finished = this.data?.finished ?? [];
    const n = Math.max(created.length, finished.length, 1);
    const peak = Math.max(1, ...created, ...finished);
    const top = niceCeiling(peak);
    const ticks = [0, top / 2, top];
    const left = 8 + Math.max(...ticks.map((t) => g.measureText(String(t)).width));
    const plot = { x: left + 6, y: 8, w: width - left - 14, h: height - 30 };

    // grid and axes
    g.strokeStyle = color('--grid');
    g.fillStyle = color('--muted');
    g.lineWidth = 1;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    for (const value of ticks) {
      const y = Math.round(plot.y + plot.h - (value / top) * plot.h) + 0.5;
      g.beginPath();
      g.moveTo(plot.x, y);
      g.lineTo(plot.x + plot.w, y);
      g.stroke();
      g.fillText(String(value), left, y);
    }
    g.textBaseline = 'top';
    const minutes = Math.round((n * (this.data?.step_seconds ?? 1)) / 60);
    for (let m = minutes; m >= 0; m -= 5) {
      const x = plot.x + plot.w * (1 - m / minutes);
      g.textAlign = m === minutes ? 'left' : m === 0 ? 'right' : 'center';
      g.fillText(m === 0 ? 'now' : `−${m} min`, x, plot.y + plot.h + 6);
    }

    // before this node followed the changes nothing is known: shade it
    if (this.data?.since && this.data?.end) {
      const unknown = (Date.parse(this.data.since) - Date.parse(this.data.end)) / 1000 + n - 1;
      if (unknown > 0) {
        g.fillStyle = color('--unknown');
        g.fillRect(plot.x, plot.y, (Math.min(unknown, n) / n) * plot.w, plot.h);
      }
    }

    line(g, created, n, top, plot, color('--created'), []);
    line(g, finished, n, top, plot, color('--finished'), [5, 3]);
  }

  summarize() {
    const last = (series, seconds) => series.slice(-seconds).reduce((a, b) => a + b, 0) / seconds;
    const created = this.data.created;
    const finished = this.data.finished;
    const peak = Math.max(0, ...created, ...finished);
    this.summary.textContent =
      `Last minute: ${last(created, 60).toFixed(1)} created/s, ` +
      `${last(finished, 60).toFixed(1)} finished/s. ` +
      `Last 15 minutes: ${sum(created)} created, ${sum(finished)} finished, peak ${peak}/s.`;
  }
}

function line(g, series, n, top, plot, color, dash) {
  if (series.length === 0) return;
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.setLineDash(dash);
  g.lineJoin = 'round';
  g.beginPath();
  series.forEach((value, i) => {
    const x = plot.x + (n === 1 ? plot.w : (i / (n - 1)) * plot.w);
    const y = plot.y + plot.h - (value / top) * plot.h;
    if (i === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  });
  g.stroke();
  g.setLineDash([]);
}

function sum(series) {
  return series.reduce((a, b) => a + b, 0);
}

// 1, 2, 5, 10, 20, 50, ...: the y axis ends on a round number
function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}
