// GitHub Actions workflow commands: `::error` / `::warning` annotations per finding that matters, pointing at the
// zone file when the domain came from --zone, so a pull request shows them on the file. Pure.
import type { Finding } from '../core/result.js';
import { escapeControl } from '../core/text.js';
import { checkLabel } from '../posture/registry.js';
import type { PostureResult } from '../posture/types.js';

export interface GithubOptions {
  strict?: boolean;
  /** The zone file a domain's records come from (for file= on the annotation). */
  fileFor?: (domain: string) => string | undefined;
}

export function githubAnnotations(r: PostureResult, o: GithubOptions = {}): string {
  const file = o.fileFor?.(r.domain);
  const lines: string[] = [];
  for (const f of r.findings) {
    const level = levelOf(f, o.strict);
    if (!level) continue;
    const check = f.check === 'posture' ? 'check' : checkLabel(f.check);
    const title = `mailcheck ${check} (${r.domain})${f.temporary ? ': no verdict' : ''}`;
    const props = [file ? `file=${property(file)}` : null, `title=${property(title)}`].filter(Boolean).join(',');
    const text = `${f.message}${f.advice ? ` → ${f.advice}` : ''} [${f.id}]${f.ref ? ` (${f.ref})` : ''}`;
    lines.push(`::${level} ${props}::${data(text)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function levelOf(f: Finding & { check: string }, strict?: boolean): 'error' | 'warning' | null {
  if (f.temporary) return 'warning';
  if (f.severity === 'fail') return 'error';
  if (f.severity === 'warn') return strict ? 'error' : 'warning';
  return null;
}

/** Workflow command data: %, CR and LF are escaped (and control characters made visible first). */
function data(s: string): string {
  return escapeControl(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values also escape ':' and ','. */
function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
