#!/usr/bin/env node
// What one hostile message costs the DKIM/ARC verifier (issue #13): 40 (and 10) signatures with distinct l= over a
// 5 MB body, h= naming 100,000 (and 250) fields over 20,000 header fields, 500 signatures with distinct d= (DNS
// queries; also with an ARC set), and a 24 MB body on one line (peak RSS of a `mailcheck verify` child; also in
// lines, and with an ARC set). Each DKIM signature carries the right bh=, so the verifier goes as far as it would
// for a real one. Prints CPU and wall time per message, DNS queries, peak RSS.
// Usage: node bench/dkim-hostile.mjs [root]  — root is a checkout with a build (default: this one), so an old
// build and a new one can be measured back to back. Env: ONLY=<case name substring>, SKIP=<substring>.
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = resolve(process.argv[2] ?? here);
const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { verifyMessage } = await load('verify/verdict.js');
const { parseZone } = await load('dns/zone/parse.js');
const { zoneResolver } = await load('dns/zone/resolver.js');
const RSS_HOOK = join(here, 'test/helpers/rss-hook.mjs');

const dir = mkdtempSync(join(tmpdir(), 'mailcheck-bench-dkim-hostile-'));
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p = key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const txt = ['v=DKIM1; k=rsa; p=', ...p.match(/.{1,200}/g)].map((s) => `"${s}"`).join(' ');
const zoneText = `$ORIGIN mail.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 604800 300\n@ NS ns\nns A 192.0.2.53\n_dmarc TXT "v=DMARC1; p=reject"\nsel._domainkey TXT ( ${txt} )\n`;
const zoneFile = join(dir, 'mail.test.zone');
writeFileSync(zoneFile, zoneText);
const zone = parseZone(zoneText);

/** The reference canonicalizations (RFC 6376 §3.4.3/§3.4.4) on the whole body, to compute bh= values. */
function canonical(body, canon) {
  let s = body.toString('latin1');
  if (canon === 'relaxed') s = s.replace(/[ \t]+(?=\r\n|$)/g, '').replace(/[ \t]+/g, ' ');
  let end = s.length;
  while (end >= 2 && s.endsWith('\r\n', end)) end -= 2;
  if (end === 0) return canon === 'relaxed' ? Buffer.alloc(0) : Buffer.from('\r\n');
  return Buffer.from(`${s.slice(0, end)}\r\n`, 'latin1');
}
const bh = (canonBody, limit) =>
  createHash('sha256')
    .update(limit === undefined ? canonBody : canonBody.subarray(0, limit))
    .digest('base64');
const B = 'A'.repeat(342) + '==';
const sig = (tags) => `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; ${tags}; b=${B}`;
/** One ARC set with made-up signatures (well-formed, so ARC validation goes as far as the AMS body hash). */
const arcSet = (bodyHash) => [
  `ARC-Seal: i=1; a=rsa-sha256; cv=none; d=mail.test; s=sel; t=1; b=${B}`,
  `ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.test; s=sel; h=from:to; bh=${bodyHash}; b=${B}`,
  'ARC-Authentication-Results: i=1; mx.mail.test; dkim=pass',
];
const head = ['From: Alice <alice@mail.test>', 'To: bob@example.net', 'Subject: hostile', 'Message-ID: <h@mail.test>'];
const message = (sigs, body, extraHeaders = []) =>
  Buffer.concat([Buffer.from([...sigs, ...extraHeaders, ...head, '', ''].join('\r\n'), 'latin1'), body]);

const lines = (bytes, width = 78) => {
  const line = `${'lorem ipsum  dolor\tsit amet '.repeat(8).slice(0, width - 2)}\r\n`;
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)), 'latin1');
};

const cases = {
  '40 signatures, distinct l=, 5 MB body': () => {
    const body = lines(5 * 1024 * 1024);
    const c = canonical(body, 'relaxed');
    const sigs = Array.from({ length: 40 }, (_, i) => {
      const l = Math.floor((c.length * (i + 1)) / 41);
      return sig(`d=mail.test; s=sel; h=from:to:subject; l=${l}; bh=${bh(c, l)}`);
    });
    return message(sigs, body);
  },
  // Within the cap of 10 signatures, so the one pass shows on its own.
  '10 signatures, distinct l=, 5 MB body': () => {
    const body = lines(5 * 1024 * 1024);
    const c = canonical(body, 'relaxed');
    const sigs = Array.from({ length: 10 }, (_, i) => {
      const l = Math.floor((c.length * (i + 1)) / 11);
      return sig(`d=mail.test; s=sel; h=from:to:subject; l=${l}; bh=${bh(c, l)}`);
    });
    return message(sigs, body);
  },
  'h= of 100,000 names over 20,000 fields': () => {
    const body = lines(2000);
    const fields = Array.from({ length: 20_000 }, (_, i) => `X-F: ${i}`);
    const names = `from:${'x-f:'.repeat(100_000)}to`;
    return message([sig(`d=mail.test; s=sel; h=${names}; bh=${bh(canonical(body, 'relaxed'))}`)], body, fields);
  },
  // Within the cap of 256 names, so the index shows on its own.
  'h= of 250 names over 20,000 fields': () => {
    const body = lines(2000);
    const fields = Array.from({ length: 20_000 }, (_, i) => `X-F: ${i}`);
    const names = `from:${'x-f:'.repeat(248)}to`;
    return message([sig(`d=mail.test; s=sel; h=${names}; bh=${bh(canonical(body, 'relaxed'))}`)], body, fields);
  },
  '500 signatures, distinct d=': () => {
    const body = lines(2000);
    const h = bh(canonical(body, 'relaxed'));
    return message(
      Array.from({ length: 500 }, (_, i) => sig(`d=d${i}.example; s=sel; h=from; bh=${h}`)),
      body,
    );
  },
  '500 signatures, distinct d=, and an ARC-Seal': () => {
    const body = lines(2000);
    const h = bh(canonical(body, 'relaxed'));
    return message(
      Array.from({ length: 500 }, (_, i) => sig(`d=d${i}.example; s=sel; h=from; bh=${h}`)),
      body,
      arcSet(h),
    );
  },
};

const skip = (name) =>
  (process.env.ONLY && !name.includes(process.env.ONLY)) || (process.env.SKIP && name.includes(process.env.SKIP));
const rows = [];
try {
  for (const [name, make] of Object.entries(cases)) {
    if (skip(name)) continue;
    const bytes = make();
    let queries = 0;
    const inner = zoneResolver([zone]);
    const resolver = { lookup: (n, t, o) => (queries++, inner.lookup(n, t, o)) };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const v = await verifyMessage(bytes, { authservId: 'bench' }, { resolver, now: () => new Date() });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    rows.push({
      case: name,
      size: `${(bytes.length / 1024 / 1024).toFixed(2)} MB`,
      'cpu ms': Math.round((cpu.user + cpu.system) / 1000),
      'wall ms': Math.round(wall),
      'DNS queries': queries,
      'dkim results': v.dkim.length,
      dmarc: v.dmarc.result,
    });
  }

  // Peak RSS of the CLI on a 24 MB body: one line, and the same bytes in 78-byte lines.
  for (const [name, body, extra] of [
    [
      '24 MB body on one line (verify, peak RSS)',
      () => Buffer.from('lorem ipsum  dolor\tsit '.repeat((24 * 1024 * 1024) / 23), 'latin1'),
    ],
    ['24 MB body in lines (verify, peak RSS)', () => lines(24 * 1024 * 1024)],
    [
      '24 MB body on one line and an ARC-Seal (verify, peak RSS)',
      () => Buffer.from('lorem ipsum  dolor\tsit '.repeat((24 * 1024 * 1024) / 23), 'latin1'),
      'arc',
    ],
  ]) {
    if (skip(name)) continue;
    const b = body();
    const file = join(dir, 'big.eml');
    const hash = bh(canonical(b, 'relaxed'));
    writeFileSync(
      file,
      message([sig(`d=mail.test; s=sel; h=from:to; bh=${hash}`)], b, extra === 'arc' ? arcSet(hash) : []),
    );
    const rssFile = join(dir, 'rss');
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/mailcheck.js'), 'verify', file, '--offline', '--zone', zoneFile, '--json'],
      { env: { ...process.env, NODE_OPTIONS: `--import ${RSS_HOOK}`, MC_RSS_FILE: rssFile }, encoding: 'utf8' },
    );
    const wall = performance.now() - t0;
    const out = JSON.parse(r.stdout);
    rows.push({
      case: name,
      size: `${(b.length / 1024 / 1024).toFixed(2)} MB`,
      'wall ms': Math.round(wall),
      'peak RSS MiB': Math.round(Number(readFileSync(rssFile, 'utf8')) / 1024),
      'dkim results': out.dkim.map((d) => d.result).join(','),
      dmarc: out.dmarc.result,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`root: ${root}`);
console.table(rows);
