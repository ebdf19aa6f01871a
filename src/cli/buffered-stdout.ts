// Output gathered and written to stdout together: results arrive in bursts, and one write for a burst costs
// one system call instead of one per line (verify and receive write a line per message).

/**
 * `write` buffers; the first write after a flush asks `schedule` to call `flush` later (what it returns, if
 * anything, cancels that call when `flush` runs first). `flush` writes everything pending at once, through
 * `finish` when one is given (receive escapes its JSON lines there: once for a burst, on the text it joins anyway).
 */
export function bufferedStdout(
  schedule: (flush: () => void) => (() => void) | void,
  finish?: (text: string) => string | Uint8Array,
): {
  write: (s: string) => void;
  flush: () => void;
} {
  let pending: string[] = [];
  let cancel: (() => void) | void;
  const flush = () => {
    if (cancel) cancel();
    cancel = undefined;
    if (pending.length) {
      const text = pending.join('');
      process.stdout.write(finish ? finish(text) : text);
    }
    pending = [];
  };
  const write = (s: string) => {
    if (!pending.length) cancel = schedule(flush);
    pending.push(s);
  };
  return { write, flush };
}
