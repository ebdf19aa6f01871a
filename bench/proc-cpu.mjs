// CPU time of another process from /proc (Linux): for benches that measure a peer (knot, smtp-sink) beside us.
import { readFileSync } from 'node:fs';

/** utime + stime of `pid` and its reaped children, in clock ticks (1/100 s on Linux), or -1 when unreadable. */
export function clockTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return -1;
  }
}
