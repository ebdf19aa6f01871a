// --ca files (probe, send, check): PEM with at least one certificate, else a usage error.
import { UsageError } from '../core/errors.js';
import { readUserFile } from '../core/user-file.js';
import { splitPem } from '../smtp/trust.js';

export async function readCaFiles(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const text = await readUserFile(f, '--ca file', 'utf8');
    const certs = splitPem(text);
    if (!certs.length) throw new UsageError(`--ca file '${f}' holds no PEM certificate`);
    out.push(...certs);
  }
  return out;
}
