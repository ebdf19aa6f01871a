// One domain's piece of a streamed `check` (several domains, or --batch): the text for its format, and the tally
// the totals and the exit code need. Made where the domain was checked: in the main thread, or in a worker
// (check/worker.ts), which then sends only this back.
import { UsageError } from '../../core/errors.js';
import { toALabel } from '../../core/names.js';
import { toPlainNdjsonLine } from '../../report/json.js';
import { inZone } from '../../dns/zone/resolver.js';
import type { Zone } from '../../dns/zone/types.js';
import { tallyOf, type ResultTally } from '../../posture/batch-stats.js';
import { checkPosture, invalidInput, withoutSteps, type PostureOptions } from '../../posture/check.js';
import type { PostureResult } from '../../posture/types.js';
import { githubAnnotations } from '../../report/github.js';
import { junitSuite } from '../../report/junit.js';
import { renderPostureLine } from '../../report/text/check-batch.js';
import type { Theme } from '../../report/theme.js';
import type { Context } from '../../core/context.js';
import { exitCode } from '../exit-code.js';

export type Format = 'text' | 'json' | 'junit' | 'github';

export interface BatchLine {
  /** What goes to the output for this domain (a JSON line, a text line, a JUnit suite…); from a worker, as UTF-8. */
  text: string | Buffer;
  tally: ResultTally;
  code: 0 | 1 | 3;
}

export interface LineOptions {
  format: Format;
  strict: boolean;
  /** -v: JSON lines keep the DNS steps. */
  verbose: boolean;
  theme: Theme;
  now: () => Date;
  zones: readonly Zone[];
}

export function batchLine(result: PostureResult, o: LineOptions): BatchLine {
  return { text: renderLine(result, o), tally: tallyOf(result), code: exitCode([result], { strict: o.strict }) };
}

function renderLine(result: PostureResult, o: LineOptions): string {
  switch (o.format) {
    case 'json':
      // Posture results are plain data (the type says so), so the replacer-free path serves, several times faster
      // at batch rates.
      return toPlainNdjsonLine(o.verbose ? result : withoutSteps(result));
    case 'junit':
      return junitSuite(result, { strict: o.strict, timestamp: o.now() });
    case 'github':
      return (
        renderPostureLine(result, o.theme) +
        githubAnnotations(result, { strict: o.strict, fileFor: zoneFileOf(o.zones) })
      );
    default:
      return renderPostureLine(result, o.theme);
  }
}

/** Checks one input line: a line that is not a domain name is reported in its place, not thrown. */
export async function checkOne(input: string, ctx: Context, o: PostureOptions): Promise<PostureResult> {
  let domain: string;
  try {
    domain = toALabel(input);
  } catch (e) {
    if (e instanceof UsageError) return invalidInput(input, e.message);
    throw e;
  }
  return checkPosture(domain, ctx, o);
}

/** The key an input line is known by in a results file (posture/results-file.ts resultKey) and for sharding. */
export function inputKey(input: string): string {
  try {
    return toALabel(input).toLowerCase();
  } catch (e) {
    if (e instanceof UsageError) return input.toLowerCase();
    throw e;
  }
}

/** The --zone file a domain's records come from, for GitHub annotations on that file. */
export function zoneFileOf(zones: readonly Zone[]): (domain: string) => string | undefined {
  return (domain) => {
    let best: { origin: string; source?: string } | undefined;
    for (const z of zones) if (inZone(domain, z.origin) && (!best || z.origin.length > best.origin.length)) best = z;
    return best?.source;
  };
}
