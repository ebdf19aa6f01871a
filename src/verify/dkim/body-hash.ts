// Body hashes (RFC 6376 §3.7) for every signature of a message from one canonicalization pass per body form:
// each distinct l= (§3.5) is a prefix of the same canonical body, so one running hash per algorithm serves them
// all (a copy of its state is finished at each l=), and the pass stops at the largest l=. Forty signatures with
// forty l= values over a 5 MB body cost one pass, not forty.
import { createHash, type Hash } from 'node:crypto';
import { BodyCanonicalizer, type Canon } from './canonicalize.js';

export interface BodyHashRequest {
  canon: Canon;
  hash: 'sha256' | 'sha1';
  /** l=: hash only this many canonical bytes. */
  limit?: number;
}

export interface BodyHash {
  digest: Buffer;
  /** The canonical body is shorter than l= (§3.5: the signature cannot cover bytes that are not there). */
  short: boolean;
}

interface Runner {
  algorithm: 'sha256' | 'sha1';
  hash: Hash;
  /** The l= values asked for, ascending once the pass starts; `reached` of them are done. */
  limits: number[];
  reached: number;
  /** A request without l= (the whole body). */
  whole: boolean;
  /** The whole body's hash (and that of every l= at or past its end). */
  all?: Buffer;
  byLimit?: Map<number, Buffer>;
}

interface Pass {
  canon: Canon;
  cursor: BodyCanonicalizer;
  /** Canonical bytes produced so far. */
  position: number;
  /** The canonical body's length, once the pass reached its end. */
  length?: number;
  runners: Runner[];
}

// Plain indexed loops and arrays, not for-of, find() or maps: this runs for every signed message, mostly in V8's
// interpreter (runs of < 10,000 messages go without the optimizing compiler, pool.ts), where each of those costs.
export class BodyHashes {
  // At most two passes (simple, relaxed) with at most two runners each (sha256, sha1).
  private readonly passes: Pass[] = [];

  /** Computes every requested hash now: one pass per canonicalization, up to the largest l= asked for. */
  constructor(
    private readonly body: Buffer,
    requests: readonly BodyHashRequest[],
    private readonly slice?: number,
  ) {
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      const pass = this.pass(r.canon);
      let runner = runnerFor(pass, r.hash);
      if (!runner) {
        runner = { algorithm: r.hash, hash: createHash(r.hash), limits: [], reached: 0, whole: false };
        pass.runners.push(runner);
      }
      if (r.limit === undefined) runner.whole = true;
      else if (!runner.limits.includes(r.limit)) runner.limits.push(r.limit);
    }
    for (let i = 0; i < this.passes.length; i++) run(this.passes[i]!);
  }

  /** The hash for a request made to the constructor. */
  get(r: BodyHashRequest): BodyHash {
    const pass = this.pass(r.canon);
    const runner = runnerFor(pass, r.hash)!;
    if (r.limit === undefined) return { digest: runner.all!, short: false };
    const digest = runner.byLimit?.get(r.limit) ?? runner.all!;
    return { digest, short: pass.length !== undefined && r.limit > pass.length };
  }

  /** The whole canonical body's length: continues a pass that stopped at the largest l= (counting, not hashing). */
  canonicalLength(canon: Canon): number {
    const pass = this.pass(canon);
    if (pass.length === undefined) {
      for (let piece = pass.cursor.next(); piece; piece = pass.cursor.next()) pass.position += piece.length;
      pass.length = pass.position;
    }
    return pass.length;
  }

  private pass(canon: Canon): Pass {
    for (let i = 0; i < this.passes.length; i++) if (this.passes[i]!.canon === canon) return this.passes[i]!;
    const pass: Pass = { canon, cursor: new BodyCanonicalizer(this.body, canon, this.slice), position: 0, runners: [] };
    this.passes.push(pass);
    return pass;
  }
}

function runnerFor(pass: Pass, algorithm: string): Runner | undefined {
  for (let i = 0; i < pass.runners.length; i++) if (pass.runners[i]!.algorithm === algorithm) return pass.runners[i];
  return undefined;
}

/** Feeds the pass's pieces to its runners until every l= is reached (or, for a whole-body request, to the end). */
function run(pass: Pass): void {
  const runners = pass.runners;
  let goal = 0;
  for (let i = 0; i < runners.length; i++) {
    const r = runners[i]!;
    if (r.limits.length > 1) r.limits.sort((a, b) => a - b);
    goal = Math.max(goal, r.whole ? Infinity : r.limits[r.limits.length - 1]!);
  }
  while (pass.position < goal) {
    const piece = pass.cursor.next();
    if (!piece) {
      pass.length = pass.position;
      break;
    }
    const end = pass.position + piece.length;
    for (let i = 0; i < runners.length; i++) {
      const r = runners[i]!;
      // Each l= that falls inside this piece: finish a copy of the running state with the piece's head.
      for (; r.reached < r.limits.length && r.limits[r.reached]! <= end; r.reached++) {
        const limit = r.limits[r.reached]!;
        (r.byLimit ??= new Map()).set(
          limit,
          r.hash
            .copy()
            .update(piece.subarray(0, limit - pass.position))
            .digest(),
        );
      }
      if (r.whole || r.reached < r.limits.length) r.hash.update(piece);
    }
    pass.position = end;
  }
  // What is left — the whole body, and any l= at or past its end (l=0 too) — is the hash of everything fed.
  for (let i = 0; i < runners.length; i++) {
    const r = runners[i]!;
    if (r.whole || r.reached < r.limits.length) r.all = r.hash.digest();
  }
}
