// RDATA presentation formats (RFC 1035 §3.3, RFC 3596, RFC 6698 TLSA, RFC 4034 DS/DNSKEY, RFC 2782, RFC 8659)
// → the record shapes of ../types.ts. Throws plain Errors; parse.ts adds file and line.
import { isIP } from 'node:net';
import type { RRType, RecordMap } from '../types.js';
import type { Token } from './types.js';

type NameFn = (n: string) => string;

export function parseRdata(type: RRType, t: Token[], name: NameFn): RecordMap[RRType] {
  const need = (n: number) => {
    if (t.length < n) throw new Error(`expected ${n} field${n > 1 ? 's' : ''}, got ${t.length}`);
  };
  const num = (k: number, max: number, what: string) => {
    const s = t[k]?.text ?? '';
    if (!/^\d+$/.test(s) || Number(s) > max) throw new Error(`invalid ${what} '${s}'`);
    return Number(s);
  };
  const hex = (from: number) => {
    const h = t
      .slice(from)
      .map((x) => x.text)
      .join('')
      .toLowerCase();
    if (!/^([0-9a-f]{2})+$/.test(h)) throw new Error('invalid hex data');
    return h;
  };
  switch (type) {
    case 'A':
      need(1);
      if (isIP(t[0]!.text) !== 4) throw new Error(`'${t[0]!.text}' is not an IPv4 address`);
      return t[0]!.text;
    case 'AAAA':
      need(1);
      // isIP also takes a scoped address (fe80::1%eth0), which RDATA cannot carry.
      if (isIP(t[0]!.text) !== 6 || t[0]!.text.includes('%')) throw new Error(`'${t[0]!.text}' is not an IPv6 address`);
      return t[0]!.text.toLowerCase();
    case 'MX':
      need(2);
      return { preference: num(0, 65535, 'preference'), exchange: name(t[1]!.text) };
    case 'TXT':
    case 'SPF':
      need(1);
      return t.map((x) => {
        const s = unescapeString(x.text);
        if (Buffer.byteLength(s, 'latin1') > 255)
          throw new Error('a character-string is longer than 255 bytes: split it into several quoted strings');
        return Buffer.from(s, 'latin1').toString('utf8');
      });
    case 'CNAME':
    case 'PTR':
    case 'NS':
      need(1);
      return name(t[0]!.text);
    case 'SOA':
      need(7);
      return {
        mname: name(t[0]!.text),
        rname: name(t[1]!.text),
        serial: num(2, 4294967295, 'serial'),
        refresh: num(3, 2147483647, 'refresh'),
        retry: num(4, 2147483647, 'retry'),
        expire: num(5, 2147483647, 'expire'),
        minimum: num(6, 2147483647, 'minimum'),
      };
    case 'TLSA':
      need(4);
      return {
        usage: num(0, 255, 'usage'),
        selector: num(1, 255, 'selector'),
        matchingType: num(2, 255, 'matching type'),
        data: hex(3),
      };
    case 'DS':
      need(4);
      return {
        keyTag: num(0, 65535, 'key tag'),
        algorithm: num(1, 255, 'algorithm'),
        digestType: num(2, 255, 'digest type'),
        digest: hex(3),
      };
    case 'DNSKEY': {
      need(4);
      const key = t
        .slice(3)
        .map((x) => x.text)
        .join('');
      if (!/^[A-Za-z0-9+/]+=*$/.test(key)) throw new Error('invalid base64 key');
      return {
        flags: num(0, 65535, 'flags'),
        protocol: num(1, 255, 'protocol'),
        algorithm: num(2, 255, 'algorithm'),
        key,
      };
    }
    case 'SRV':
      need(4);
      return {
        priority: num(0, 65535, 'priority'),
        weight: num(1, 65535, 'weight'),
        port: num(2, 65535, 'port'),
        target: name(t[3]!.text),
      };
    case 'CAA':
      need(3);
      return { flags: num(0, 255, 'flags'), tag: t[1]!.text, value: unescapeString(t[2]!.text) };
  }
}

/** \DDD (decimal byte) and \X escapes of RFC 1035 §5.1, as a latin1 byte string. */
function unescapeString(s: string): string {
  return s
    .replace(/\\(\d{3}|[\s\S])/g, (_m, e: string) => {
      if (e.length === 3) {
        const v = Number(e);
        if (v > 255) throw new Error(`invalid escape \\${e}`);
        return String.fromCharCode(v);
      }
      return e;
    })
    .replace(/[^\x00-\xff]/g, (c) => Buffer.from(c, 'utf8').toString('latin1'));
}
