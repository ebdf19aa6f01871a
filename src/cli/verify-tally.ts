// What a verify run keeps of each message once it is shown: the counts its summary needs and the exit code so
// far. The run used to keep every result to the end — a million-message mbox held a million results, and in a
// 1,000-message run each young-generation GC copied the growing list again (~5 µs a message of GC).
import type { VerifySummary } from '../report/text/verify-line.js';
import { worseExitCode } from '../verify/requirements/exit-code.js';
import type { VerifyItem } from '../verify/types.js';

export class VerifyTally {
  total = 0;
  unreadable = 0;
  authenticated = 0;
  readonly byDmarc: Record<string, number> = {};
  private code: 0 | 1 | 3 = 0;
  /** --strict: warnings fail (shared/CONTRACT.md), and so does an unmet sender requirement. */
  private strictCode: 0 | 1 | 3 = 0;

  add(item: VerifyItem): void {
    this.total++;
    if ('error' in item) {
      this.unreadable++;
      return;
    }
    this.byDmarc[item.dmarc.result] = (this.byDmarc[item.dmarc.result] ?? 0) + 1;
    // exitCode()'s rules (cli/exit-code.ts) over this one item, without its arrays and options (a call a message).
    let failed = false;
    let temporary = false;
    let warned = false;
    for (let k = 0; k < item.findings.length; k++) {
      const f = item.findings[k]!;
      if (f.temporary) temporary = true;
      else if (f.severity === 'fail') failed = true;
      else if (f.severity === 'warn') warned = true;
    }
    if (!failed && !temporary) this.authenticated++;
    this.code = worseExitCode(this.code, codeOf(failed, temporary));
    // --strict: warnings fail too, and so does an unmet sender requirement (requirementsExitCode).
    const req = item.requirementsVerdict.result;
    this.strictCode = worseExitCode(
      this.strictCode,
      codeOf(failed || warned || req === 'fail', temporary || req === 'temperror'),
    );
  }

  summary(seconds: number): VerifySummary {
    const { total, byDmarc, authenticated, unreadable } = this;
    return { total, byDmarc, authenticated, unreadable, seconds };
  }

  /** Bad input (2) outranks verdicts: the user has to fix the command line or the files first. */
  exitCode(strict: boolean): 0 | 1 | 2 | 3 {
    if (this.unreadable) return 2;
    return strict ? this.strictCode : this.code;
  }
}

/** A failure (1) outranks no verdict (3), which outranks success (0). */
function codeOf(failed: boolean, temporary: boolean): 0 | 1 | 3 {
  if (failed) return 1;
  return temporary ? 3 : 0;
}
