// What a verify run keeps of each message once it is shown: the counts its summary needs and the exit code so
// far. The run used to keep every result to the end — a million-message mbox held a million results, and in a
// 1,000-message run each young-generation GC copied the growing list again (~5 µs a message of GC).
import type { VerifySummary } from '../report/text/verify-line.js';
import { requirementsExitCode, worseExitCode } from '../verify/requirements/exit-code.js';
import type { VerifyItem } from '../verify/types.js';
import { findingsExitCode } from './exit-code.js';

const STRICT = { strict: true };

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
    const code = findingsExitCode(item.findings);
    if (code === 0) this.authenticated++; // no failure and no temporary one: what exit 0 means
    this.code = worseExitCode(this.code, code);
    // --strict: warnings fail too, and so does an unmet sender requirement.
    const strict = worseExitCode(
      findingsExitCode(item.findings, STRICT),
      requirementsExitCode(item.requirementsVerdict),
    );
    this.strictCode = worseExitCode(this.strictCode, strict);
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
