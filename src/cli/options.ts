// Number-valued options (--timeout, --port, --jobs, --concurrency, …): one parser, one wording of the usage error.
import { UsageError } from '../core/errors.js';

/**
 * A whole number from min to max (surrounding spaces allowed), or a usage error `<flag> '<v>' is not <expected>`;
 * `expected` says it in the option's own terms where that helps ("a port number (1-65535)").
 */
export function parseInteger(
  v: string,
  flag: string,
  min: number,
  max: number,
  expected = `a whole number from ${min} to ${max}`,
): number {
  const t = v.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new UsageError(`${flag} '${v}' is not ${expected}`);
  return Number(t);
}

/** A duration in milliseconds (--timeout), at least 1. */
export function parseMilliseconds(v: string, flag: string, max = 600_000): number {
  return parseInteger(v, flag, 1, max, `a number of milliseconds between 1 and ${max}`);
}

/** A TCP port; `min` 0 where 0 means "any free port". */
export function parsePortNumber(v: string, flag: string, min: 0 | 1 = 1): number {
  return parseInteger(v, flag, min, 65535, `a port number (${min}-65535)`);
}
