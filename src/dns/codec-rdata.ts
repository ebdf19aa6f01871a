// Record data between dns-packet's shapes and ours (codec.ts): names lowercase without the trailing dot, TXT as
// UTF-8 strings, SPF (type 99, unknown to dns-packet) from and to raw character-strings (RFC 1035 §3.3, RFC 7208 §3.1).
import dnsPacket from 'dns-packet';
import type { DnsRecord } from './codec-types.js';
import { RR_TYPES, type RRType, type RecordMap } from './types.js';

const KNOWN = new Set<string>(RR_TYPES);

/** Lowercase, no trailing dot; the root is ''. */
export function lowerName(name: string): string {
  const n = name.toLowerCase();
  if (n === '.' || n === '') return '';
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

export function wireName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n === '' ? '.' : n;
}

type WireAnswer = dnsPacket.Answer & { ttl?: number; class?: string; data?: unknown };

export function fromWire(a: dnsPacket.Answer): DnsRecord {
  const w = a as WireAnswer;
  return {
    name: lowerName(w.name),
    type: w.type,
    class: w.class ?? 'IN',
    ttl: w.ttl ?? 0,
    data: KNOWN.has(w.type) ? dataFromWire(w.type as RRType, w.data) : null,
  };
}

function dataFromWire(type: RRType, d: unknown): RecordMap[RRType] {
  const o = d as Record<string, unknown>;
  switch (type) {
    case 'A':
      return String(d);
    case 'AAAA':
      return String(d).toLowerCase();
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return lowerName(String(d));
    case 'MX':
      return { preference: Number(o.preference ?? 0), exchange: lowerName(String(o.exchange)) };
    case 'TXT':
      // dns-packet gives one Buffer per character-string; they are octets, read as UTF-8 (what SPF/DKIM/DMARC text is).
      return (Array.isArray(d) ? d : [d]).map((b) => (Buffer.isBuffer(b) ? b.toString('utf8') : String(b)));
    case 'SPF':
      // Type 99 is unknown to dns-packet: raw RDATA, the same <character-string>s as TXT (RFC 7208 §3.1).
      return splitCharacterStrings(d as Buffer);
    case 'SOA':
      return {
        mname: lowerName(String(o.mname)),
        rname: lowerName(String(o.rname).replace(/\\\./g, '.')),
        serial: Number(o.serial),
        refresh: Number(o.refresh),
        retry: Number(o.retry),
        expire: Number(o.expire),
        minimum: Number(o.minimum),
      };
    case 'TLSA':
      return {
        usage: Number(o.usage),
        selector: Number(o.selector),
        matchingType: Number(o.matchingType),
        data: (o.certificate as Buffer).toString('hex'),
      };
    case 'DS':
      return {
        keyTag: Number(o.keyTag),
        algorithm: Number(o.algorithm),
        digestType: Number(o.digestType),
        digest: (o.digest as Buffer).toString('hex'),
      };
    case 'DNSKEY':
      // dns-packet rejects any protocol but 3 (RFC 4034 §2.1.2), so it is always 3 here.
      return {
        flags: Number(o.flags),
        protocol: 3,
        algorithm: Number(o.algorithm),
        key: (o.key as Buffer).toString('base64'),
      };
    case 'SRV':
      return {
        priority: Number(o.priority ?? 0),
        weight: Number(o.weight ?? 0),
        port: Number(o.port),
        target: lowerName(String(o.target)),
      };
    case 'CAA':
      return { flags: Number(o.flags ?? 0), tag: String(o.tag), value: String(o.value) };
  }
}

function splitCharacterStrings(rdata: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < rdata.length;) {
    const len = rdata[i]!;
    if (i + 1 + len > rdata.length) throw new Error('character-string overruns its RDATA');
    out.push(rdata.subarray(i + 1, i + 1 + len).toString('utf8'));
    i += 1 + len;
  }
  return out;
}

/** Character-strings hold at most 255 octets (RFC 1035 §3.3): longer text is split, as zone tools do. */
function toCharacterStrings(strings: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  for (const s of strings) {
    const b = Buffer.from(s, 'utf8');
    if (b.length === 0) out.push(b);
    for (let i = 0; i < b.length; i += 255) out.push(b.subarray(i, i + 255));
  }
  return out;
}

export function toWire(r: DnsRecord): dnsPacket.Answer {
  const base = { name: wireName(r.name), ttl: r.ttl, class: r.class as dnsPacket.RecordClass };
  const d = r.data as never;
  switch (r.type as RRType) {
    case 'A':
    case 'AAAA':
      return { ...base, type: r.type as 'A', data: d };
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return { ...base, type: r.type as 'CNAME', data: wireName(d) };
    case 'MX': {
      const mx = d as RecordMap['MX'];
      return { ...base, type: 'MX', data: { preference: mx.preference, exchange: wireName(mx.exchange) } };
    }
    case 'TXT':
      return { ...base, type: 'TXT', data: toCharacterStrings(d) };
    case 'SPF': {
      const parts = toCharacterStrings(d);
      const raw = Buffer.concat(parts.flatMap((p) => [Buffer.from([p.length]), p]));
      return { ...base, type: 'SPF' as 'NULL', data: raw };
    }
    case 'SOA': {
      const s = d as RecordMap['SOA'];
      return { ...base, type: 'SOA', data: { ...s, mname: wireName(s.mname), rname: wireName(s.rname) } };
    }
    case 'TLSA': {
      const t = d as RecordMap['TLSA'];
      return {
        ...base,
        type: 'TLSA',
        data: {
          usage: t.usage,
          selector: t.selector,
          matchingType: t.matchingType,
          certificate: Buffer.from(t.data, 'hex'),
        },
      };
    }
    case 'DS': {
      const s = d as RecordMap['DS'];
      return {
        ...base,
        type: 'DS',
        data: {
          keyTag: s.keyTag,
          algorithm: s.algorithm,
          digestType: s.digestType,
          digest: Buffer.from(s.digest, 'hex'),
        },
      };
    }
    case 'DNSKEY': {
      const k = d as RecordMap['DNSKEY'];
      return {
        ...base,
        type: 'DNSKEY',
        data: { flags: k.flags, algorithm: k.algorithm, key: Buffer.from(k.key, 'base64') },
      };
    }
    case 'SRV':
      return {
        ...base,
        type: 'SRV',
        data: { ...(d as RecordMap['SRV']), target: wireName((d as RecordMap['SRV']).target) },
      };
    case 'CAA': {
      const c = d as RecordMap['CAA'];
      return { ...base, type: 'CAA', data: { flags: c.flags, tag: c.tag as 'issue', value: c.value } };
    }
    default:
      throw new RangeError(`cannot encode a ${r.type} record`);
  }
}
