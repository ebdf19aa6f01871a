// The common case of codec.ts written out by hand: a query for a plain name, and a response made only of the
// record types a mail check reads (RFC 1035 §4.1, RFC 6891 §6.1). Everything else returns undefined and goes
// through the general encoder and decoder (dns-packet), so results are those of codec.ts to the byte.
import type { DnsMessage, DnsRecord, Question } from './codec-types.js';
import type { RRType, RecordMap } from './types.js';

// The same values as codec.ts (the differential tests in test/unit/dns/codec.test.ts hold them together).
const RD = 1 << 8;
const EDNS_UDP_SIZE = 4096;
const IN = 1;

/** Type codes of the questions we ask and the records plainMessage reads (RFC 1035 §3.2.2 and each type's RFC). */
const TYPE_CODES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DS: 43,
  DNSKEY: 48,
  TLSA: 52,
  SPF: 99,
  CAA: 257,
};
const TYPE_NAMES = new Map(Object.entries(TYPE_CODES).map(([k, v]) => [v, k as RRType]));
const OPT_TYPE = 41;
// The OPT pseudo-record of every EDNS query: root owner, type 41, our UDP size as class, DO=1 (RFC 6891 §6.1.2).
const OPT = Buffer.from([0, 0, OPT_TYPE, EDNS_UDP_SIZE >> 8, EDNS_UDP_SIZE & 255, 0, 0, 0x80, 0, 0, 0]);

/**
 * The bytes of a query (RD=1, one question, an OPT with DO=1 unless `edns` is false) for a name of letters,
 * digits, '-' and '_' labels and a type we know; undefined for anything else. Most of what a batch sends.
 */
export function plainQuery(name: string, type: string, id: number, edns: boolean): Buffer | undefined {
  const code = TYPE_CODES[type];
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  // 253 characters make 255 octets on the wire, the most RFC 1035 §2.3.4 allows.
  if (code === undefined || n === '' || n.length > 253) return undefined;
  const end = 12 + n.length + 2;
  const buf = Buffer.allocUnsafe(end + 4 + (edns ? OPT.length : 0));
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(RD, 2);
  buf.writeUInt32BE(0x00010000, 4); // QDCOUNT 1, ANCOUNT 0
  buf.writeUInt32BE(edns ? 1 : 0, 8); // NSCOUNT 0, ARCOUNT
  let lengthAt = 12;
  let p = 13;
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c === 46) {
      if (p - lengthAt - 1 === 0 || p - lengthAt - 1 > 63) return undefined;
      buf[lengthAt] = p - lengthAt - 1;
      lengthAt = p++;
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 45 || c === 95) {
      buf[p++] = c;
    } else {
      return undefined;
    }
  }
  if (p - lengthAt - 1 === 0 || p - lengthAt - 1 > 63) return undefined;
  buf[lengthAt] = p - lengthAt - 1;
  buf[p++] = 0;
  buf.writeUInt16BE(code, p);
  buf.writeUInt16BE(IN, p + 2);
  if (edns) OPT.copy(buf, p + 4);
  return buf;
}

const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** Thrown inside plainMessage when the message leaves its scope; never escapes it. */
const OUT = Symbol('out of scope');

/**
 * A response decoded the way codec.ts's decodeMessage decodes it, when it is a standard QUERY of class IN whose
 * names are ASCII and whose records are A, AAAA, NS, CNAME, PTR, MX, TXT, SPF, SOA (and one OPT among the
 * additionals), each exactly as long as its RDLENGTH says. Undefined otherwise (including anything malformed):
 * the general decoder then gives its answer or its error.
 */
export function plainMessage(buf: Buffer): DnsMessage | undefined {
  try {
    return decode(buf);
  } catch (e) {
    if (e === OUT) return undefined;
    throw e;
  }
}

function decode(buf: Buffer): DnsMessage {
  if (buf.length < 12) throw OUT;
  const header = buf.readUInt16BE(2);
  if ((header >> 11) & 0xf) throw OUT; // opcode other than QUERY
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  const r = { at: 12 };
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = readName(buf, r);
    need(buf, r.at + 4);
    const type = TYPE_NAMES.get(buf.readUInt16BE(r.at));
    if (!type || buf.readUInt16BE(r.at + 2) !== IN) throw OUT;
    r.at += 4;
    questions.push({ name, type, class: 'IN' });
  }
  const answers = readRecords(buf, r, counts[1]);
  const authorities = readRecords(buf, r, counts[2]);
  let opt: { size: number; ext: number; version: number; dnssecOk: boolean } | undefined;
  const additionals: DnsRecord[] = [];
  for (let i = 0; i < counts[3]; i++) {
    const start = r.at;
    readName(buf, r);
    need(buf, r.at + 10);
    if (buf.readUInt16BE(r.at) !== OPT_TYPE) {
      r.at = start;
      additionals.push(...readRecords(buf, r, 1));
      continue;
    }
    if (opt) throw OUT;
    opt = {
      size: buf.readUInt16BE(r.at + 2),
      ext: buf[r.at + 4]!,
      version: buf[r.at + 5]!,
      dnssecOk: (buf.readUInt16BE(r.at + 6) & 0x8000) !== 0,
    };
    const end = r.at + 10 + buf.readUInt16BE(r.at + 8);
    need(buf, end);
    // Options are read for their framing only; the codes the general decoder parses further are its to judge.
    for (let o = r.at + 10; o < end;) {
      need(buf, o + 4);
      const code = buf.readUInt16BE(o);
      if (code === 8 || code === 11 || code === 14) throw OUT;
      o += 4 + buf.readUInt16BE(o + 2);
      if (o > end) throw OUT;
    }
    r.at = end;
  }
  const code = ((opt?.ext ?? 0) << 4) | (header & 0xf);
  const message: DnsMessage = {
    id: buf.readUInt16BE(0),
    response: (header & 0x8000) !== 0,
    opcode: 'QUERY',
    rcode: rcodeName(code),
    flags: {
      aa: (header & 0x400) !== 0,
      tc: (header & 0x200) !== 0,
      rd: (header & 0x100) !== 0,
      ra: (header & 0x80) !== 0,
      ad: (header & 0x20) !== 0,
      cd: (header & 0x10) !== 0,
    },
    questions,
    answers,
    authorities,
    additionals,
  };
  if (opt) message.edns = { udpPayloadSize: opt.size, version: opt.version, dnssecOk: opt.dnssecOk };
  return message;
}

function readRecords(buf: Buffer, r: { at: number }, count: number): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (let i = 0; i < count; i++) {
    const name = readName(buf, r);
    need(buf, r.at + 10);
    const code = buf.readUInt16BE(r.at);
    const type = TYPE_NAMES.get(code);
    if ((buf.readUInt16BE(r.at + 2) & 0x7fff) !== IN) throw OUT;
    const ttl = buf.readUInt32BE(r.at + 4);
    const start = r.at + 10;
    const end = start + buf.readUInt16BE(r.at + 8);
    need(buf, end);
    r.at = start;
    let data: RecordMap[RRType];
    switch (type) {
      case 'A':
        if (end - start !== 4) throw OUT;
        data = `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`;
        r.at = end;
        break;
      case 'AAAA':
        if (end - start !== 16) throw OUT;
        data = ipv6(buf, start);
        r.at = end;
        break;
      case 'NS':
      case 'CNAME':
      case 'PTR':
        data = readName(buf, r);
        break;
      case 'MX':
        need(buf, start + 2);
        r.at = start + 2;
        data = { preference: buf.readUInt16BE(start), exchange: readName(buf, r) };
        break;
      case 'TXT':
      case 'SPF':
        data = characterStrings(buf, start, end);
        r.at = end;
        break;
      case 'SOA': {
        const mname = readName(buf, r);
        // The general decoder escapes dots inside the labels of RNAME (a mailbox) and codec.ts unescapes them,
        // which a label ending in a backslash would not survive: such names are left to it.
        const rname = readName(buf, r, true);
        need(buf, r.at + 20);
        data = {
          mname,
          rname,
          serial: buf.readUInt32BE(r.at),
          refresh: buf.readUInt32BE(r.at + 4),
          retry: buf.readUInt32BE(r.at + 8),
          expire: buf.readUInt32BE(r.at + 12),
          minimum: buf.readUInt32BE(r.at + 16),
        };
        r.at += 20;
        break;
      }
      default:
        throw OUT;
    }
    if (r.at !== end) throw OUT;
    out.push({ name, type: type!, class: 'IN', ttl, data });
  }
  return out;
}

function need(buf: Buffer, end: number): void {
  if (end > buf.length) throw OUT;
}

// Characters of the name being read, lowercased on the way (codec.ts lowercases every name it decodes).
const chars = new Uint16Array(255);

/**
 * A name at r.at (RFC 1035 §4.1.4), lowercase, no trailing dot, the root as ''. As the general decoder: a pointer
 * must point before the start of the labels it continues, and the name is at most 254 octets of labels.
 * Non-ASCII octets, a dot inside a label, and with `mailbox` a backslash, are left to the general decoder.
 */
function readName(buf: Buffer, r: { at: number }, mailbox = false): string {
  let at = r.at;
  let segment = at;
  let end = -1;
  let n = 0;
  let total = 0;
  for (;;) {
    need(buf, at + 1);
    const len = buf[at++]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      need(buf, at + 1);
      const target = ((len & 0x3f) << 8) | buf[at]!;
      if (target >= segment) throw OUT;
      if (end < 0) end = at + 1;
      at = segment = target;
      continue;
    }
    if (len & 0xc0) throw OUT;
    total += len + 1;
    if (total > 254) throw OUT;
    need(buf, at + len);
    if (n) chars[n++] = 46;
    for (let i = 0; i < len; i++) {
      let c = buf[at + i]!;
      if (c >= 0x80 || c === 46 || (mailbox && c === 92)) throw OUT;
      if (c >= 65 && c <= 90) c += 32;
      chars[n++] = c;
    }
    at += len;
  }
  r.at = end < 0 ? at : end;
  return n ? String.fromCharCode.apply(null, chars.subarray(0, n) as unknown as number[]) : '';
}

/** TXT and SPF RDATA: character-strings filling it exactly (RFC 1035 §3.3.14), read as UTF-8 as codec.ts does. */
function characterStrings(buf: Buffer, start: number, end: number): string[] {
  const out: string[] = [];
  for (let i = start; i < end;) {
    const len = buf[i]!;
    if (i + 1 + len > end) throw OUT;
    out.push(buf.toString('utf8', i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

/**
 * As @leichtgewicht/ip-codec's v6.decode writes it (what the general decoder gives): hex groups without leading
 * zeros, the first run of two or more zero groups as '::' (not the longest, as RFC 5952 would have it).
 */
function ipv6(buf: Buffer, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((buf[at + i]! << 8) | buf[at + i + 1]!);
  let from = -1;
  let to = -1;
  for (let i = 0; i < 7; i++) {
    if (g[i] === 0 && g[i + 1] === 0) {
      from = i;
      to = i + 1;
      while (to < 7 && g[to + 1] === 0) to++;
      break;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i >= from && i <= to) {
      if (i === from) s += '::';
      continue;
    }
    if (s && !s.endsWith(':')) s += ':';
    s += g[i]!.toString(16);
  }
  return s;
}

/** The rcode's name as dns-packet gives it (16 is BADVERS, from the OPT record's extended rcode), else RCODE<n>. */
function rcodeName(code: number): string {
  if (code < RCODE_NAMES.length) return RCODE_NAMES[code] ?? `RCODE${code}`;
  return code === 16 ? 'BADVERS' : `RCODE${code}`;
}
