// Fixture zones for unit tests: the same files knot serves in integration tests, parsed in memory.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { layered, offlineResolver } from '../../src/dns/layered.js';
import { parseZone } from '../../src/dns/zone/parse.js';
import type { Zone } from '../../src/dns/zone/types.js';
import type { Resolver } from '../../src/dns/types.js';

export const ZONES_DIR = new URL('../../fixtures/zones/', import.meta.url).pathname;

export function loadFixtureZone(file: string): Zone {
  const path = join(ZONES_DIR, file);
  return parseZone(readFileSync(path, 'utf8'), { source: path, origin: file.replace(/\.zone$/, '') });
}

/** All fixture zones (or the named ones) behind an offline resolver: names outside them are NXDOMAIN. */
export function fixtureResolver(files?: string[]): Resolver {
  const list = files ?? readdirSync(ZONES_DIR).filter((f) => f.endsWith('.zone'));
  return layered(list.map(loadFixtureZone), offlineResolver());
}

/** Inline zones for tests: zoneOf`$ORIGIN t.\n@ MX 10 mx`. */
export function zoneOf(strings: TemplateStringsArray, ...values: unknown[]): Zone {
  return parseZone(strings.reduce((text, s, i) => text + s + (i < values.length ? String(values[i]) : ''), ''));
}
