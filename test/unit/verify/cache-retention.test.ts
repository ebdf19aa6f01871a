// Caches keyed by header text must not keep the messages they came from alive: V8 keeps a substring of 13 or more
// characters as a view into its parent string, so a From: value kept as a key would hold the whole header section
// (a stranger's megabytes) with it.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { cached } from '../../../src/dns/cache.js';
import { fromAuthors } from '../../../src/verify/address.js';
import { headerValues, parseMessage } from '../../../src/verify/message.js';
import { formatProblems } from '../../../src/verify/requirements/format.js';
import { checkSpf } from '../../../src/verify/spf.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { fixtureResolver } from '../../helpers/zones.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const PAD = 400_000;
const MESSAGES = 60;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function stranger(i: number): Buffer {
  // A short From: (cached) next to a big field in the same header section; a bad address, so the cached check
  // carries a problem text quoted from the field too.
  return Buffer.from(
    `From: Sender ${i} <sender-${i}@strangers.example>\r\nTo: <bad address ${i}@@x>\r\nX-Pad: ${'a'.repeat(PAD)}\r\n` +
      `Date: Fri, 4 Dec 2026 13:00:00 +0000\r\nMessage-ID: <${i}@strangers.example>\r\n\r\nbody\r\n`,
  );
}

describe('caches of header text', () => {
  it('keep no header section alive (From: authors, address syntax checks)', () => {
    const before = heapAfterGc();
    for (let i = 0; i < MESSAGES; i++) {
      const raw = stranger(i);
      const msg = parseMessage(raw);
      expect(fromAuthors(headerValues(msg, 'from')).addresses).toEqual([`sender-${i}@strangers.example`]);
      expect(formatProblems(msg, raw).map((p) => p.id)).toContain('format.address.syntax');
    }
    const retained = heapAfterGc() - before;
    // Kept views would hold MESSAGES × PAD bytes (24 MB); the cached keys and checks themselves are a few kB.
    expect(retained).toBeLessThan((MESSAGES * PAD) / 4);
  });
});

describe("the DNS cache, after verifying strangers' messages", () => {
  it('keeps no header section alive through names taken from them (DKIM d= and s=, the From: domain)', async () => {
    const resolver = cached(fixtureResolver(['mail.test.zone']));
    const ctx = { resolver, now: () => new Date() };
    const signed = (i: number) =>
      Buffer.from(
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=unknown-${i}.mail.test; s=selector-${i}; h=from;\r\n` +
          ` bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nX-Pad: ${'a'.repeat(PAD)}\r\n` +
          `From: <someone@sub-${i}.mail.test>\r\nDate: Fri, 4 Dec 2026 13:00:00 +0000\r\n` +
          `Message-ID: <${i}@mail.test>\r\n\r\nbody\r\n`,
      );
    const before = heapAfterGc();
    for (let i = 0; i < MESSAGES; i++) {
      const v = await verifyMessage(signed(i), { authservId: 'mx.test' }, ctx);
      expect(v.dkim[0]!.result).toBe('permerror');
    }
    expect(resolver.size).toBeGreaterThan(MESSAGES);
    const retained = heapAfterGc() - before;
    expect(retained).toBeLessThan((MESSAGES * PAD) / 4);
  });
});

describe('the SPF memo', () => {
  it('keeps no command chunk alive through the sender and HELO it remembers', async () => {
    const resolver = fixtureResolver(['mail.test.zone']);
    const before = heapAfterGc();
    for (let i = 0; i < MESSAGES; i++) {
      // As smtp-server hands them over: cut from the string of the chunk the command came in.
      const chunk = `MAIL FROM:<sender-${i}@mail.test> ${'x'.repeat(PAD)} client-${i}.mail.test`;
      const sender = chunk.slice(chunk.indexOf('<') + 1, chunk.indexOf('>'));
      const helo = chunk.slice(chunk.lastIndexOf(' ') + 1);
      const v = await checkSpf({ ip: '192.0.2.1', sender, helo }, resolver, 'mx.test');
      expect(v.sender).toBe(`sender-${i}@mail.test`);
    }
    const retained = heapAfterGc() - before;
    expect(retained).toBeLessThan((MESSAGES * PAD) / 4);
  });
});
