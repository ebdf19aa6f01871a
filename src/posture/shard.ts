// Sharding a batch (`check --shard K/N`): a stable partition of the input by a hash of each domain, so the same
// domain lands in the same shard whatever the input order, the other domains, the machine or the run. Pure.

export interface Shard {
  /** 1-based, as the user writes it: 1 ≤ index ≤ count. */
  index: number;
  count: number;
}

/** The largest N accepted: a cluster of a hundred thousand pods is plenty, and it keeps mistakes readable. */
export const MAX_SHARDS = 100_000;

/**
 * Which shard (1…count) a domain belongs to: FNV-1a (32-bit) over the UTF-8 bytes of the key, modulo count.
 * The key is the lower-cased A-label (what `check` checks), or for a line that is not a domain name the
 * lower-cased line itself, so every line has exactly one shard. FNV-1a is written out in docs/scale.md, so other
 * tools can reproduce the split.
 */
export function shardOf(key: string, count: number): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(key.toLowerCase(), 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % count) + 1;
}

/** "K/N" → { index: K, count: N }, or a reason it is not one. */
export function parseShard(text: string): Shard | string {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  if (!m) return `'${text}' is not K/N (the shard number K of N shards, e.g. 2/8)`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return `the number of shards in '${text}' must be from 1 to ${MAX_SHARDS}`;
  if (index < 1 || index > count) return `the shard number in '${text}' must be from 1 to ${count}`;
  return { index, count };
}

/**
 * `--shards N` with the 0-based index of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX=i) means shard i+1 of N,
 * so one manifest fans a list out over a cluster. A reason string when either is missing or out of range.
 */
export function shardFromIndex(count: string, index: string | undefined): Shard | string {
  if (!/^\s*\d{1,6}\s*$/.test(count) || Number(count) < 1 || Number(count) > MAX_SHARDS)
    return `--shards '${count}' is not a number of shards from 1 to ${MAX_SHARDS}`;
  if (index === undefined || index === '')
    return '--shards needs JOB_COMPLETION_INDEX in the environment (set by a Kubernetes Indexed Job), or use --shard K/N';
  const n = Number(count);
  if (!/^\s*\d{1,6}\s*$/.test(index) || Number(index) >= n)
    return `JOB_COMPLETION_INDEX '${index}' is not a shard index from 0 to ${n - 1} (--shards ${n})`;
  return { index: Number(index) + 1, count: n };
}
