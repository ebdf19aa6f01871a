#!/usr/bin/env node
// `probe --tls-audit` cost: handshakes, wall and CPU time of one audit against an SMTP server with STARTTLS on
// loopback, at 1 and at 8 connections at a time. The servers run in a child process (Node's TLS behind a few lines of
// SMTP), one "modern" (TLS 1.2+, ECDHE AEAD only) and one "legacy" (TLS 1.0+, Node's DEFAULT suites at
// @SECLEVEL=0, DHE): the audit's own CPU is ours, the server's is counted apart. For reference it prints how many
// handshakes a plain one-setting-per-connection audit needs (every version, suite and group alone, and the order).
// Needs a build (npm run build) and openssl. Env: RUNS (default 3, the median is printed); GREET_MS (the servers'
// greeting delay, default 100: a network's and a server's pause); TARGET=host:port audits an outside server instead.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMicros } from './proc-cpu.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const GREET_MS = Number(process.env.GREET_MS ?? 100);
const { probeHost } = await import('../dist/probe/check.js');
const { offlineResolver } = await import('../dist/dns/layered.js');
const { localTls } = await import('../dist/probe/tls-audit/local.js');
const { LEGACY_SUITES, TLS13_SUITES } = await import('../dist/probe/tls-audit/suites.js');
const { GROUPS } = await import('../dist/probe/tls-audit/groups.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const SERVER = `
const tls = require('node:tls'), net = require('node:net'), fs = require('node:fs');
const o = JSON.parse(process.argv[1]);
const ctx = tls.createSecureContext({ cert: fs.readFileSync(o.cert), key: fs.readFileSync(o.key), ...o.tls });
net.createServer((sock) => {
  sock.on('error', () => {});
  // A greeting delay stands for the network and the server's own pause (smtp-server waits 100 ms too).
  setTimeout(() => sock.write('220 mx.bench.test ESMTP bench\\r\\n'), o.greetMs);
  let buf = '';
  const onData = (d) => {
    buf += d;
    for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
      const line = buf.slice(0, i).trim(); buf = buf.slice(i + 1);
      if (/^EHLO/i.test(line)) sock.write('250-mx.bench.test\\r\\n250 STARTTLS\\r\\n');
      else if (/^STARTTLS/i.test(line)) {
        sock.off('data', onData); sock.write('220 go ahead\\r\\n');
        const s = new tls.TLSSocket(sock, { isServer: true, secureContext: ctx });
        s.on('error', () => sock.destroy());
        s.on('data', (x) => { if (/^QUIT/i.test(String(x))) s.end('221 bye\\r\\n'); else s.write('250 ok\\r\\n'); });
        return;
      } else if (/^QUIT/i.test(line)) return sock.end('221 bye\\r\\n');
      else sock.write('502 no\\r\\n');
    }
  };
  sock.on('data', onData);
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`;

const dir = mkdtempSync(join(tmpdir(), 'mailcheck-bench-audit-'));
const children = [];
try {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=mx.bench.test',
    ],
    { stdio: 'ignore' },
  );
  const { constants } = await import('node:crypto');
  const configs = process.env.TARGET
    ? [{ name: `target ${process.env.TARGET}`, target: process.env.TARGET }]
    : [
        {
          name: 'modern',
          tls: {
            minVersion: 'TLSv1.2',
            ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
            ecdhCurve: 'X25519:P-256:P-384',
            honorCipherOrder: true,
            secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
          },
        },
        { name: 'legacy', tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', dhparam: 'auto' } },
      ];
  const local = localTls();
  const naive =
    4 + [...TLS13_SUITES, ...LEGACY_SUITES].filter((s) => local.suites.has(s.iana)).length + GROUPS.length + 2;
  console.log(
    `Node ${process.version}, OpenSSL ${local.openssl}; greeting after ${GREET_MS} ms; one setting per connection would take ${naive} handshakes.`,
  );
  for (const c of configs) {
    let host = '127.0.0.1';
    let port;
    let pid;
    if (c.target) [host, port] = [c.target.split(':')[0], Number(c.target.split(':')[1])];
    else {
      const child = spawn(
        process.execPath,
        [
          '-e',
          SERVER,
          JSON.stringify({ cert: join(dir, 'c.pem'), key: join(dir, 'k.pem'), tls: c.tls, greetMs: GREET_MS }),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      port = Number(await new Promise((ok) => child.stdout.once('data', (d) => ok(String(d).trim()))));
      pid = child.pid;
    }
    for (const concurrency of [1, 8]) {
      const rows = [];
      for (let i = 0; i < RUNS; i++) {
        const serverBefore = pid ? cpuMicros(pid) : undefined;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const h = await probeHost(
          { exchange: 'mx.bench.test', address: host, port },
          { resolver: offlineResolver(), timeoutMs: 5000, now: () => new Date(), onEvent: () => {} },
          { tlsAudit: { concurrency } },
        );
        const cpu = process.cpuUsage(cpu0);
        const a = h.tlsAudit;
        rows.push({
          wall: performance.now() - t0,
          cpu: (cpu.user + cpu.system) / 1000,
          server: pid ? (cpuMicros(pid) - serverBefore) / 1000 : NaN,
          handshakes: a.handshakes,
          verdict: a.verdict,
        });
      }
      const m = (k) => median(rows.map((r) => r[k]));
      console.log(
        `${c.name.padEnd(8)} concurrency ${String(concurrency).padStart(2)}: ${m('handshakes')} handshakes, ${m('wall').toFixed(0)} ms wall, ${m('cpu').toFixed(0)} ms CPU (ours; server ${Number.isNaN(m('server')) ? '–' : `${m('server').toFixed(0)} ms`}), verdict ${rows[0].verdict}`,
      );
    }
  }
} finally {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
}
