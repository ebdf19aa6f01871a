// DNS messages (RFC 1035 §4, EDNS0 RFC 6891) ↔ our record shapes, on top of dns-packet. Pure: no sockets.
// dns-packet throws on bad input; everything here that decodes returns an error value instead.
import { randomFillSync } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { plainMessage, plainQuery } from './codec-plain.js';
import { fromWire, lowerName, toWire, wireName } from './codec-rdata.js';
import type { Decoded, DnsMessage, DnsRecord, Edns, EncodedQuery, MessageFlags, Question } from './codec-types.js';
import type { RRType, RecordMap, RecordOf } from './types.js';

export { lowerName };
export type { Decoded, DnsMessage, DnsRecord, Edns, EncodedQuery, MessageFlags, Question } from './codec-types.js';

const RCODES: Record<string, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
};
const RCODE_NAMES = new Map(Object.entries(RCODES).map(([k, v]) => [v, k]));
const OPCODES: Record<string, number> = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 };
// Header bits of RFC 1035 §4.1.1 and RFC 4035 §3.2 (AD, CD).
const F = { aa: 1 << 10, tc: 1 << 9, rd: 1 << 8, ra: 1 << 7, ad: 1 << 5, cd: 1 << 4 } as const;
/** The classic UDP limit without EDNS (RFC 1035 §4.2.1), and what we advertise with it. */
export const CLASSIC_UDP_SIZE = 512;
export const EDNS_UDP_SIZE = 4096;

/** Short ASCII labels, 253 characters at most: always encodable, so the full check (which allocates) is skipped. */
const PLAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}$/;

/** Why a name cannot be put on the wire (RFC 1035 §2.3.4: labels ≤ 63 octets, names ≤ 255), or undefined. */
export function nameError(name: string): string | undefined {
  if (PLAIN_NAME.test(name)) return undefined;
  const n = wireName(name);
  if (n === '.') return undefined;
  const labels = n.split('.');
  if (labels.some((l) => l.length === 0)) return `'${name}' has an empty label`;
  if (labels.some((l) => Buffer.byteLength(l) > 63)) return `'${name}' has a label longer than 63 octets`;
  if (Buffer.byteLength(n) + 2 > 255) return `'${name}' is longer than 255 octets on the wire`;
  return undefined;
}

/** A query with a random 16-bit id (RFC 5452 §9.2), RD=1 and, unless `edns: false`, an OPT with DO=1 (RFC 3225). */
export function encodeQuery(name: string, type: string, opts: { id?: number; edns?: boolean } = {}): EncodedQuery {
  const id = opts.id ?? randomId();
  const edns = opts.edns !== false;
  const question: Question = { name: lowerName(name), type, class: 'IN' };
  // A plain name is checked as it is written (labels, length); anything else by nameError, before dns-packet.
  const bytes = plainQuery(name, type, id, edns) ?? generalQuery(name, type, id, edns);
  return { id, question, bytes, edns };
}

function generalQuery(name: string, type: string, id: number, edns: boolean): Buffer {
  const err = nameError(name);
  if (err) throw new RangeError(err);
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: F.rd,
    questions: [{ name: wireName(name), type: type as dnsPacket.RecordType, class: 'IN' }],
    additionals: edns ? [optRecord(EDNS_UDP_SIZE, true, 0)] : [],
  });
}

// Query ids come from a block of random bytes refilled as it runs out: one call into the CSPRNG per 4096 ids
// instead of one randomInt() per query.
const ids = new Uint16Array(4096);
let idPos = ids.length;
function randomId(): number {
  if (idPos === ids.length) {
    randomFillSync(ids);
    idPos = 0;
  }
  return ids[idPos++]!;
}

export interface ResponseSpec {
  id: number;
  opcode?: string;
  rcode: string;
  flags?: Partial<MessageFlags>;
  questions: Question[];
  answers?: DnsRecord[];
  authorities?: DnsRecord[];
  additionals?: DnsRecord[];
  edns?: Edns;
}

/** Encodes a response (the server side). Names are written as given; records must have known types. */
export function encodeResponse(spec: ResponseSpec): Buffer {
  const rcode = RCODES[spec.rcode] ?? 2;
  let flags = ((OPCODES[spec.opcode ?? 'QUERY'] ?? 0) << 11) | (rcode & 0xf);
  for (const [k, bit] of Object.entries(F)) if (spec.flags?.[k as keyof MessageFlags]) flags |= bit;
  const additionals = (spec.additionals ?? []).map(toWire);
  // Extended RCODE: the upper 8 bits travel in the OPT TTL field (RFC 6891 §6.1.3).
  if (spec.edns) additionals.push(optRecord(spec.edns.udpPayloadSize, spec.edns.dnssecOk, rcode >> 4));
  return dnsPacket.encode({
    type: 'response',
    id: spec.id,
    flags,
    questions: spec.questions.map((q) => ({
      name: wireName(q.name),
      type: q.type as dnsPacket.RecordType,
      class: q.class as dnsPacket.RecordClass,
    })),
    answers: (spec.answers ?? []).map(toWire),
    authorities: (spec.authorities ?? []).map(toWire),
    additionals,
  });
}

/** Decodes any message; never throws (compression loops, overruns and bad rdata become `{ ok: false }`). */
export function decodeMessage(buf: Buffer): Decoded {
  // Most answers are plain A/AAAA/MX/TXT/PTR/SOA: read directly, without dns-packet's object per field.
  const plain = plainMessage(buf);
  return plain ? { ok: true, message: plain } : decodeGeneral(buf);
}

/** decodeMessage through dns-packet alone: what the plain path must agree with (test/unit/dns/codec-plain.test.ts). */
export function decodeGeneral(buf: Buffer): Decoded {
  try {
    const p = dnsPacket.decode(buf) as dnsPacket.DecodedPacket & { opcode?: string; rcode?: string };
    const opt = (p.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
    const ext = opt ? opt.extendedRcode : 0;
    const low = RCODES[p.rcode ?? ''] ?? (p.flags ?? 0) & 0xf;
    const code = (ext << 4) | low;
    const message: DnsMessage = {
      id: p.id ?? 0,
      response: p.flag_qr,
      opcode: p.opcode ?? 'QUERY',
      rcode: RCODE_NAMES.get(code) ?? `RCODE${code}`,
      flags: { aa: p.flag_aa, tc: p.flag_tc, rd: p.flag_rd, ra: p.flag_ra, ad: p.flag_ad, cd: p.flag_cd },
      questions: (p.questions ?? []).map((q) => ({ name: lowerName(q.name), type: q.type, class: q.class ?? 'IN' })),
      answers: (p.answers ?? []).map(fromWire),
      authorities: (p.authorities ?? []).map(fromWire),
      additionals: (p.additionals ?? []).filter((a) => a.type !== 'OPT').map(fromWire),
    };
    if (opt) message.edns = { udpPayloadSize: opt.udpPayloadSize, version: opt.ednsVersion, dnssecOk: opt.flag_do };
    return { ok: true, message };
  } catch (e) {
    return { ok: false, error: `undecodable DNS message: ${(e as Error).message}` };
  }
}

/** Is `m` the answer to `q`? Same id, QR=1, and the same question (name case-insensitively, RFC 5452 §9.1). */
export function isReplyTo(m: DnsMessage, q: EncodedQuery): boolean {
  const mq = m.questions[0];
  return (
    m.response &&
    m.id === q.id &&
    m.questions.length === 1 &&
    !!mq &&
    mq.name === q.question.name &&
    mq.type === q.question.type &&
    mq.class === q.question.class
  );
}

export interface CnameLink {
  owner: string;
  target: string;
  ttl: number;
}

export interface ExtractedAnswer<R> {
  /** CNAMEs from the query name onwards, in order. */
  chain: CnameLink[];
  /** Owner of the records sought: the query name, or the last CNAME target. */
  finalName: string;
  records: R[];
  /** Minimum TTL over the records and the CNAMEs that led to them (what a cache may keep), if any. */
  ttl: number | undefined;
  /** The chain came back to a name already in it. */
  loop: boolean;
}

/**
 * Walks the answer section from `qname` through CNAMEs (RFC 1034 §3.6.2; records may come in any order)
 * and takes the `type` records of the final owner. `follow: false` stops at the query name.
 */
export function extractAnswer<T extends RRType>(
  m: DnsMessage,
  qname: string,
  type: T,
  opts: { follow?: boolean } = {},
): ExtractedAnswer<RecordOf<T>> {
  const chain: CnameLink[] = [];
  let name = lowerName(qname);
  let loop = false;
  let ttl = Infinity;
  if (opts.follow !== false && type !== 'CNAME') {
    // Names met along the chain, made when there is one (most answers have none).
    let seen: Set<string> | undefined;
    for (;;) {
      const c = m.answers.find((r) => r.type === 'CNAME' && r.name === name && typeof r.data === 'string');
      if (!c) break;
      const target = c.data as string;
      chain.push({ owner: name, target, ttl: c.ttl });
      if (c.ttl < ttl) ttl = c.ttl;
      seen ??= new Set([name]);
      if (seen.has(target)) {
        loop = true;
        break;
      }
      seen.add(target);
      name = target;
    }
  }
  const records: RecordOf<T>[] = [];
  if (!loop)
    for (const r of m.answers) {
      if (r.name !== name || r.type !== type || r.data === null) continue;
      records.push(r.data as RecordOf<T>);
      if (r.ttl < ttl) ttl = r.ttl;
    }
  return { chain, finalName: name, records, ttl: records.length || chain.length ? ttl : undefined, loop };
}

/**
 * How long a negative answer about `name` may be cached (RFC 2308 §5: the lesser of the SOA's TTL and its
 * MINIMUM), from an SOA in the authority section for a zone enclosing `name`; undefined when there is none.
 */
export function negativeTtl(m: DnsMessage, name: string): number | undefined {
  const n = lowerName(name);
  const soa = m.authorities.find(
    (r) => r.type === 'SOA' && r.data !== null && (r.name === '' || n === r.name || n.endsWith(`.${r.name}`)),
  );
  return soa ? Math.min(soa.ttl, (soa.data as RecordMap['SOA']).minimum) : undefined;
}

function optRecord(udpPayloadSize: number, dnssecOk: boolean, extendedRcode: number): dnsPacket.OptAnswer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize,
    extendedRcode,
    ednsVersion: 0,
    flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0,
    flag_do: dnssecOk,
    options: [],
  };
}
