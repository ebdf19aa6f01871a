// `mailcheck demo`: set the stage (stage.ts), play both acts (acts.ts), and return the story as data.
// Exit 0 means every step behaved as expected — including the forged message failing DMARC.
import type { Context } from '../core/context.js';
import { finding, type Finding } from '../core/result.js';
import { playAct, scripts } from './acts.js';
import { setStage, type Stage, type StageOptions } from './stage.js';
import type { DemoAct, DemoResult, DemoStep } from './types.js';

export interface DemoOptions extends Omit<StageOptions, 'now' | 'onEvent' | 'timeoutMs'> {
  /** Leave the stage running (the caller closes it). */
  keep: boolean;
}

export async function runDemo(o: DemoOptions, ctx: Context): Promise<{ result: DemoResult; stage: Stage | null }> {
  const start = performance.now();
  const steps: DemoStep[] = [];
  const stage = await setStage({ ...o, timeoutMs: ctx.timeoutMs, now: ctx.now, onEvent: ctx.onEvent }, steps);
  const acts: DemoAct[] = [];
  try {
    // The sender resolves through the sandbox's DNS server over the wire, exactly as it would ask the internet.
    const senderCtx: Context = { ...ctx, resolver: stage.resolver() };
    for (const script of scripts(stage)) {
      const played = await playAct(stage, script, senderCtx);
      acts.push(played.act);
      steps.push(...played.steps);
    }
  } catch (e) {
    await stage.close();
    throw e;
  }
  const findings: Finding[] = steps
    .filter((s) => !s.ok)
    .map((s) =>
      finding(
        `demo.${s.act}.${s.kind}`,
        'fail',
        `${s.act === 'setup' ? 'Setting up' : `The ${s.act} message`}: ${s.summary}${s.expected ? ` (expected ${s.expected}, got ${s.actual})` : ''}`,
      ),
    );
  if (!findings.length)
    findings.push(
      finding(
        'demo.ok',
        'ok',
        'Every step behaved as expected: the genuine message passed SPF, DKIM and DMARC; the forged one failed DMARC.',
      ),
    );
  const result: DemoResult = {
    kind: 'demo',
    ok: steps.every((s) => s.ok),
    domain: stage.domain,
    dns: { host: stage.dns.host, port: stage.dns.port },
    smtp: { host: stage.receiver.host, port: stage.receiver.port, tls: 'starttls' },
    maildir: stage.receiver.maildir,
    kept: !stage.temporary,
    zoneFiles: stage.zoneFiles,
    keyFile: stage.keyFile,
    selector: stage.selector,
    acts,
    steps,
    findings,
    ms: Math.round(performance.now() - start),
  };
  if (!o.keep) {
    await stage.close();
    return { result, stage: null };
  }
  return { result, stage };
}
