// Results carry optional fields ("explanation" only after a fail, "helo" only when given). Written as
// `...(x ? { x } : {})` spreads they read badly in a row; this builds the object whole and leaves the absent ones out.

/**
 * A copy of `o` without its undefined-valued keys, the others in their order (so JSON key order is that of the
 * literal). Not merely `undefined` values: `'x' in r`, `toStrictEqual` and spreads over defaults would still see
 * them. A key whose presence depends on truthiness (`helo ? { helo } : {}`) is written `helo: helo || undefined`.
 */
export function definedOnly<T extends object>(o: T): T {
  // Keys and an indexed loop: Object.entries() makes an array per key, and the receiver builds a result per message.
  const out: Record<string, unknown> = {};
  const from = o as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const v = from[keys[i]!];
    if (v !== undefined) out[keys[i]!] = v;
  }
  return out as T;
}

/**
 * `T` with every key required (an optional one may hold undefined): a literal of this type names each key, so a
 * key added to `T` later cannot be left out of it. For hot results built in one literal of a fixed shape, where
 * V8's interpreter pays for each key a spread or a definedOnly() copy adds.
 */
export type Every<T> = { [K in keyof Required<T>]: T[K] };
