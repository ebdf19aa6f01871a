// Reads --zone files; an unreadable or malformed file is a UsageError (one line, exit 2).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { parseZone, ZoneSyntaxError } from './parse.js';
import type { Zone } from './types.js';

export async function loadZoneFile(path: string): Promise<Zone> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read zone file '${path}': ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`,
    );
  }
  // A file named example.com.zone or example.com.db without $ORIGIN gets its origin from the name.
  const fromName = basename(path).replace(/\.(zone|db|txt)$/i, '');
  try {
    return parseZone(text, { source: path, origin: /\./.test(fromName) ? fromName : undefined });
  } catch (e) {
    if (e instanceof ZoneSyntaxError) throw new UsageError(`malformed zone file ${e.message}`);
    throw e;
  }
}
