// Reads --zone files; an unreadable or malformed file is a UsageError (one line, exit 2).
import { basename } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { readUserFile } from '../../core/user-file.js';
import { parseZone, ZoneSyntaxError } from './parse.js';
import type { Zone } from './types.js';

export async function loadZoneFile(path: string): Promise<Zone> {
  const text = await readUserFile(path, 'zone file', 'utf8');
  // A file named example.com.zone or example.com.db without $ORIGIN gets its origin from the name.
  const fromName = basename(path).replace(/\.(zone|db|txt)$/i, '');
  try {
    return parseZone(text, { source: path, origin: /\./.test(fromName) ? fromName : undefined });
  } catch (e) {
    if (e instanceof ZoneSyntaxError) throw new UsageError(`malformed zone file ${e.message}`);
    throw e;
  }
}
