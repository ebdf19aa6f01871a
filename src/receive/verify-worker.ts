// A verify thread of the receiver (verify-threads.ts): takes a message and the SPF verdicts computed at MAIL FROM,
// returns its verdict (verdict.ts), so that hashing and signature checks never hold up the thread that greets
// clients and answers their commands. DNS stays with the main thread (one cache, the --zone files, the -v log):
// lookups travel as messages.
import { parentPort } from 'node:worker_threads';
import type { Lookup, RRType, RecordOf, Resolver } from '../dns/types.js';
import type { MessageVerdict } from '../verify/types.js';
import { receivedVerdict, type ReceiveVerdictInput } from './verdict.js';

export type ToVerifyThread =
  | { type: 'verify'; id: number; input: Omit<ReceiveVerdictInput, 'raw'>; raw: Uint8Array[]; now: number }
  | { type: 'dns'; id: number; answer: Lookup<unknown> };

export type FromVerifyThread =
  | { type: 'verdict'; id: number; verdict: MessageVerdict }
  | { type: 'failed'; id: number; error: string }
  | { type: 'dns'; id: number; name: string; rrtype: RRType };

const port = parentPort;
if (port) {
  const send = (m: FromVerifyThread) => port.postMessage(m);
  const waiting = new Map<number, (answer: Lookup<unknown>) => void>();
  let nextDnsId = 0;
  const viaMain: Resolver = {
    lookup<T extends RRType>(name: string, type: T): Promise<Lookup<RecordOf<T>>> {
      const id = nextDnsId++;
      send({ type: 'dns', id, name, rrtype: type });
      return new Promise((resolve) => waiting.set(id, resolve as (answer: Lookup<unknown>) => void));
    },
  };

  port.on('message', (m: ToVerifyThread) => {
    if (m.type === 'dns') {
      const resolve = waiting.get(m.id);
      waiting.delete(m.id);
      resolve?.(m.answer);
      return;
    }
    // Shared blocks (or one copy) arrive as plain Uint8Arrays: joined here, on this thread, into one Buffer.
    const parts = m.raw.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    const raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    receivedVerdict({ ...m.input, raw }, { resolver: viaMain, now: () => new Date(m.now) }).then(
      (verdict) => send({ type: 'verdict', id: m.id, verdict }),
      (e: unknown) => send({ type: 'failed', id: m.id, error: (e as Error)?.message ?? String(e) }),
    );
  });
}
