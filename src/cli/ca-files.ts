// --ca files (probe, send, check): PEM with at least one certificate, else a usage error.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { splitPem } from '../smtp/trust.js';

export async function readCaFiles(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      throw new UsageError(
        `cannot read --ca file '${f}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const certs = splitPem(text);
    if (!certs.length) throw new UsageError(`--ca file '${f}' holds no PEM certificate`);
    out.push(...certs);
  }
  return out;
}
