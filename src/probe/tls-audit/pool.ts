// A small task pool for the audit's connections: at most `limit` at once, tasks may add tasks (an accepted suite
// family adds its members), drain() waits for all. No I/O of its own.

/** At most `limit` tasks at once; tasks may add tasks; drain() waits until none is queued or running. */
export class Pool {
  private queue: (() => Promise<void>)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  add(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  drain(): Promise<void> {
    if (!this.running && !this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length) {
      const task = this.queue.shift()!;
      this.running++;
      // A task's own failure must not stall the pool: it is a bug, but the audit of the rest goes on.
      task()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
          if (!this.running && !this.queue.length) for (const resolve of this.idle.splice(0)) resolve();
        });
    }
  }
}
