// A progress bar for long batches, on stderr and only on a TTY: done/total, percentage, rate and ETA.
// Drawn at once (a batch whose first domains wait on a silent resolver must not look hung), redrawn as results
// come (at most ten times a second, so it costs nothing next to the work) and every second while none do.

export interface ProgressBar {
  tick(): void;
  /** Erase the bar (before printing lines, and at the end). */
  clear(): void;
  stop(): void;
}

export function progressBar(o: {
  total?: number;
  stream?: Pick<NodeJS.WriteStream, 'write' | 'columns'>;
  label?: string;
  /** Redraw this often while no result comes, so the time keeps moving (default 1000 ms). */
  redrawMs?: number;
}): ProgressBar {
  const stream = o.stream ?? process.stderr;
  const start = performance.now();
  let done = 0;
  let last = 0;
  let shown = false;
  const draw = () => {
    const seconds = (performance.now() - start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
    let line: string;
    if (o.total) {
      const frac = Math.min(1, done / o.total);
      const filled = Math.round(frac * width);
      // Nothing done yet: no rate, so no ETA ("?", not a confident "0s").
      const eta = rate > 0 ? (o.total - done) / rate : Infinity;
      line = `${o.label ?? ''}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${o.total} ${(frac * 100).toFixed(0)}% · ${rate.toFixed(0)}/s · ETA ${formatSeconds(eta)}`;
    } else {
      line = `${o.label ?? ''}${done} checked · ${rate.toFixed(0)}/s · ${formatSeconds(seconds)}`;
    }
    stream.write(`\r${line}\x1b[K`);
    shown = true;
  };
  draw();
  // Only a bar that is on screen is redrawn: between clear() and the next tick a result line is being written.
  const timer = setInterval(() => shown && draw(), o.redrawMs ?? 1000);
  timer.unref();
  return {
    tick() {
      done++;
      const now = performance.now();
      if (now - last > 100 || done === o.total) {
        last = now;
        draw();
      }
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
    stop() {
      clearInterval(timer);
      this.clear();
    },
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
