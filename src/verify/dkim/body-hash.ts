// Body hashes (RFC 6376 §3.7) for every signature of a message from one canonicalization pass per body form:
// each distinct l= (§3.5) is a prefix of the same canonical body, so one running hash per algorithm serves them
// all (a copy of its state is finished at each l=), and the pass stops at the largest l=. Forty signatures with
// forty l= values over a 5 MB body cost one pass, not forty.
import { createHash, type Hash } from 'node:crypto';
import { canonicalPieces, type Canon } from './canonicalize.js';

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
  hash: Hash;
  /** The l= values still to reach, ascending. */
  limits: number[];
  /** A request without l= (the whole body). */
  whole: boolean;
  digests: Map<number | 'whole', Buffer>;
}

interface Pass {
  pieces: Generator<Buffer, void, undefined>;
  /** Canonical bytes produced so far. */
  position: number;
  /** The canonical body's length, once the pass reached its end. */
  length?: number;
  runners: Map<string, Runner>;
}

export class BodyHashes {
  private readonly passes = new Map<Canon, Pass>();

  /** Computes every requested hash now: one pass per canonicalization, up to the largest l= asked for. */
  constructor(
    private readonly body: Buffer,
    requests: Iterable<BodyHashRequest>,
    private readonly slice?: number,
  ) {
    for (const r of requests) {
      let pass = this.passes.get(r.canon);
      if (!pass) {
        pass = { pieces: canonicalPieces(body, r.canon, slice), position: 0, runners: new Map() };
        this.passes.set(r.canon, pass);
      }
      let runner = pass.runners.get(r.hash);
      if (!runner) {
        runner = { hash: createHash(r.hash), limits: [], whole: false, digests: new Map() };
        pass.runners.set(r.hash, runner);
      }
      if (r.limit === undefined) runner.whole = true;
      else if (!runner.limits.includes(r.limit)) runner.limits.push(r.limit);
    }
    for (const pass of this.passes.values()) {
      for (const runner of pass.runners.values()) runner.limits.sort((a, b) => a - b);
      run(pass);
    }
  }

  /** The hash for a request made to the constructor. */
  get(r: BodyHashRequest): BodyHash {
    const pass = this.passes.get(r.canon)!;
    const digest = pass.runners.get(r.hash)!.digests.get(r.limit ?? 'whole')!;
    return { digest, short: r.limit !== undefined && pass.length !== undefined && r.limit > pass.length };
  }

  /** The whole canonical body's length: continues a pass that stopped at the largest l= (counting, not hashing). */
  canonicalLength(canon: Canon): number {
    let pass = this.passes.get(canon);
    if (!pass) {
      pass = { pieces: canonicalPieces(this.body, canon, this.slice), position: 0, runners: new Map() };
      this.passes.set(canon, pass);
    }
    if (pass.length === undefined) {
      for (const piece of pass.pieces) pass.position += piece.length;
      pass.length = pass.position;
    }
    return pass.length;
  }
}

/** Feeds the pass's pieces to its runners until every l= is reached (or, for a whole-body request, to the end). */
function run(pass: Pass): void {
  const runners = [...pass.runners.values()];
  const goal = runners.some((r) => r.whole) ? Infinity : Math.max(...runners.map((r) => r.limits.at(-1)!));
  while (pass.position < goal) {
    const next = pass.pieces.next();
    if (next.done) {
      pass.length = pass.position;
      break;
    }
    const piece = next.value;
    const end = pass.position + piece.length;
    for (const r of runners) {
      // Each l= that falls inside this piece: finish a copy of the running state with the piece's head.
      while (r.limits.length && r.limits[0]! <= end) {
        const limit = r.limits.shift()!;
        r.digests.set(
          limit,
          r.hash
            .copy()
            .update(piece.subarray(0, limit - pass.position))
            .digest(),
        );
      }
      if (r.limits.length || r.whole) r.hash.update(piece);
    }
    pass.position = end;
  }
  // What is left: the whole body, and any l= at or past its end (l=0 too): the hash of everything fed so far.
  for (const r of runners) {
    if (!r.limits.length && !r.whole) continue;
    const all = r.hash.digest();
    for (const limit of r.limits) r.digests.set(limit, all);
    r.limits = [];
    if (r.whole) r.digests.set('whole', all);
  }
}
