// A progress bar for long batches, on stderr and only on a TTY: done/total, percentage, rate and ETA.
// Redrawn at most ten times a second so it costs nothing next to the work.

export interface ProgressBar {
  tick(): void;
  /** Erase the bar (before printing lines, and at the end). */
  clear(): void;
  stop(): void;
}

export function progressBar(o: { total?: number; stream?: NodeJS.WriteStream; label?: string }): ProgressBar {
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
      const eta = rate > 0 ? (o.total - done) / rate : 0;
      line = `${o.label ?? ''}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${o.total} ${(frac * 100).toFixed(0)}% · ${rate.toFixed(0)}/s · ETA ${formatSeconds(eta)}`;
    } else {
      line = `${o.label ?? ''}${done} checked · ${rate.toFixed(0)}/s · ${formatSeconds(seconds)}`;
    }
    stream.write(`\r${line}\x1b[K`);
    shown = true;
  };
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
