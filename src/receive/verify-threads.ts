// Where a received message is verified. Signature checks cost in proportion to the message (each body form is
// canonicalized and hashed whole) and to its signatures, and synchronously: on the thread that accepts
// connections a 24 MB signed message held every greeting and every reply for over a second. So signed messages
// (DKIM-Signature or ARC-* fields) and big ones go to verify threads (verify-worker.ts), and the rest — unsigned
// and at most INLINE_MAX, whose verdict is a parse and a DMARC lookup (~0.1 ms; ≤ 3 ms for the most crowded
// 64 KiB headers) — stays here, where the hand-off to a thread would cost more than the work. Threads, not
// processes: the message is shared memory, not a copy through a pipe, and nothing else here signs or verifies.
import { Worker } from 'node:worker_threads';
import type { Context } from '../core/context.js';
import { MessageFormatError, parseMessage, type ParsedMessage } from '../verify/message.js';
import type { MessageVerdict } from '../verify/types.js';
import { SHARE_FROM, type MessageBytes } from './message-bytes.js';
import { receivedVerdict, type ReceiveVerdictInput } from './verdict.js';
import type { FromVerifyThread, ToVerifyThread } from './verify-worker.js';

/** Messages up to this size without a signature field are verified on the main thread. */
export const INLINE_MAX = SHARE_FROM;

/** The header fields whose presence means signature checks (RFC 6376, RFC 8617). */
const SIGNED = new Set(['dkim-signature', 'arc-seal', 'arc-message-signature', 'arc-authentication-results']);

export interface Verifier {
  verdict(input: Omit<ReceiveVerdictInput, 'raw'>, bytes: MessageBytes): Promise<MessageVerdict>;
  /** Threads that verify right now (for tests and the bench). */
  readonly threads: number;
  close(): Promise<void>;
}

/** True when verifying the message may cost more than a hand-off to a thread. */
export function needsThread(bytes: MessageBytes): boolean {
  return placement(bytes) === THREAD;
}

const THREAD = 'thread';

/**
 * A thread for big and signed messages; the others are verified here, and their parse (which says whether a
 * signature field is there) is the one verification goes on with — no second look at the header for it.
 * An unparseable message is verified here too: its verdict is that it could not be read.
 */
function placement(bytes: MessageBytes): typeof THREAD | { parsed?: ParsedMessage } {
  if (bytes.length > INLINE_MAX) return THREAD;
  let parsed: ParsedMessage;
  try {
    parsed = parseMessage(bytes.whole());
  } catch (e) {
    if (e instanceof MessageFormatError) return {};
    throw e;
  }
  for (let i = 0; i < parsed.headers.length; i++) if (SIGNED.has(parsed.headers[i]!.key)) return THREAD;
  return { parsed };
}

interface Thread {
  worker: Worker;
  busy: number;
  alive: boolean;
  jobs: Map<number, { ok: (v: MessageVerdict) => void; fail: (e: Error) => void }>;
}

/**
 * Up to `max` verify threads, started when the first message needs one (a thread takes ~0.1–0.3 s to load the
 * verifier, on its own core); each job goes to the least busy, and a new thread starts while all are busy.
 * `max` 0: everything inline (tests run from TypeScript sources, where there is no compiled thread script).
 * A verdict not back within `deadlineMs` fails (the client gets 451 and may retry) and its thread, stuck on
 * something, is replaced: a session must never wait for ever on our side.
 */
export function startVerifier(
  max: number,
  ctx: Pick<Context, 'resolver' | 'now'>,
  o: { deadlineMs?: number; script?: URL } = {},
): Verifier {
  const url = o.script ?? new URL('./verify-worker.js', import.meta.url);
  const deadlineMs = o.deadlineMs ?? 600_000;
  const threads: Thread[] = [];
  let nextId = 0;
  let closed = false;

  const start = (): Thread => {
    const t: Thread = { worker: new Worker(url), busy: 0, alive: true, jobs: new Map() };
    t.worker.on('message', (m: FromVerifyThread) => {
      if (m.type === 'dns') {
        void ctx.resolver.lookup(m.name, m.rrtype).then(
          (answer) => t.alive && t.worker.postMessage({ type: 'dns', id: m.id, answer } satisfies ToVerifyThread),
          (e: unknown) =>
            t.alive &&
            t.worker.postMessage({
              type: 'dns',
              id: m.id,
              answer: { status: 'servfail', server: 'main', error: String(e) },
            } satisfies ToVerifyThread),
        );
        return;
      }
      const job = t.jobs.get(m.id);
      t.jobs.delete(m.id);
      // An idle thread must not keep the process alive; a busy one must (a client waits for its 250).
      if (--t.busy === 0) t.worker.unref();
      if (m.type === 'verdict') job?.ok(m.verdict);
      else job?.fail(new Error(`cannot verify the message: ${m.error}`));
    });
    t.worker.on('error', (e) => retire(t, e));
    t.worker.on('exit', (code) => retire(t, new Error(`a verify thread exited (code ${code})`)));
    t.worker.unref();
    threads.push(t);
    return t;
  };

  /** Out of service at once (no new job goes to it), its jobs failed: it died, or it is being stopped. */
  const retire = (t: Thread, e: Error) => {
    if (!t.alive) return;
    t.alive = false;
    threads.splice(threads.indexOf(t), 1);
    for (const job of t.jobs.values()) job.fail(e);
    t.jobs.clear();
  };

  const pick = (): Thread => {
    const idle = threads.find((t) => t.busy === 0);
    if (idle) return idle;
    if (threads.length < max) return start();
    return threads.reduce((a, b) => (b.busy < a.busy ? b : a));
  };

  return {
    get threads() {
      return threads.length;
    },
    verdict(input, bytes) {
      if (!max || closed) return receivedVerdict({ ...input, raw: bytes.whole() }, ctx);
      const where = placement(bytes);
      if (where !== THREAD) return receivedVerdict({ ...input, raw: bytes.whole(), parsed: where.parsed }, ctx);
      const t = pick();
      const id = nextId++;
      if (t.busy++ === 0) t.worker.ref();
      // Shared blocks go as they are. A small message is copied once, exactly, and the copy moved: posting its
      // buffer would clone all of the backing store, a pool slab that holds other buffers too.
      const raw = bytes.shared ? bytes.parts() : [new Uint8Array(bytes.whole())];
      const transfer = bytes.shared ? [] : [raw[0]!.buffer as ArrayBuffer];
      return new Promise<MessageVerdict>((ok, fail) => {
        const timer = setTimeout(() => {
          if (!t.jobs.has(id)) return;
          t.jobs.get(id)!.fail(new Error(`verification did not finish within ${Math.round(deadlineMs / 1000)} s`));
          t.jobs.delete(id);
          // Retired now, not when it has exited: a message arriving meanwhile goes to a new thread, not this one.
          retire(t, new Error('a verify thread was stopped: another message on it took too long'));
          void t.worker.terminate();
        }, deadlineMs);
        timer.unref();
        t.jobs.set(id, {
          ok: (v) => {
            clearTimeout(timer);
            ok(v);
          },
          fail: (e) => {
            clearTimeout(timer);
            fail(e);
          },
        });
        t.worker.postMessage(
          { type: 'verify', id, input, raw, now: ctx.now().getTime() } satisfies ToVerifyThread,
          transfer,
        );
      });
    },
    close: async () => {
      closed = true;
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
