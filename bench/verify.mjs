#!/usr/bin/env node
// `mailcheck verify <maildir>` throughput: 1,000 messages signed rsa-sha256 (2048-bit) and 1,000 signed
// ed25519-sha256, keys published in a zone file, beside python3-dkim verifying the same files in one process
// and mailauth's dkimVerify in one process. Prints msgs/s (median of RUNS) and checks every message passed.
// Needs a build (npm run build) and /usr/bin/python3 with python3-dkim and python3-nacl. Env: N, RUNS; STORED=1
// makes the Maildir look as `mailcheck receive` stored it (its Received: field on top), so verify also reads the
// connection from it: SPF, reverse DNS and HELO per message, as for mail receive took.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.N ?? 1000);
const RUNS = Number(process.env.RUNS ?? 3);
const STORED = process.env.STORED === '1';
const bin = fileURLToPath(new URL('../bin/mailcheck.js', import.meta.url));
const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');

const dir = mkdtempSync(join(tmpdir(), 'mailcheck-bench-verify-'));
// mailauth reads the clock twice when no signTime is given and signs a t= it does not write when a second
// boundary falls between the two reads (about 1 signature in 1,000): always pass one.
const signTime = new Date();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const words = 'the quick brown fox jumps over a lazy dog while mail flows from one host to another'.split(' ');
const body = (i) =>
  Array.from({ length: 24 }, (_, l) =>
    Array.from({ length: 10 }, (_, w) => words[(i * 7 + l * 3 + w) % words.length]).join(' '),
  ).join('\r\n');

try {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const rsaP = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const edP = ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
  const records = {
    'rsa._domainkey.bench.test': `v=DKIM1; k=rsa; p=${rsaP}`,
    'ed._domainkey.bench.test': `v=DKIM1; k=ed25519; p=${edP}`,
  };
  const zone = join(dir, 'bench.test.zone');
  const txt = (s) =>
    `( ${s
      .match(/.{1,200}/g)
      .map((x) => `"${x}"`)
      .join(' ')} )`;
  writeFileSync(
    zone,
    `$ORIGIN bench.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 604800 300\n@ NS ns\nns A 192.0.2.53\n_dmarc TXT "v=DMARC1; p=reject"\n` +
      '@ TXT "v=spf1 ip4:192.0.2.10 -all"\nmail A 192.0.2.10\n' +
      Object.entries(records)
        .map(([n, v]) => `${n.replace('.bench.test', '')} TXT ${txt(v)}`)
        .join('\n') +
      '\n',
  );

  // The reverse zone and the trace fields for STORED=1 (the format of src/receive/trace-headers.ts).
  const reverse = join(dir, 'reverse.zone');
  writeFileSync(
    reverse,
    '$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n@ SOA ns.bench.test. h.bench.test. 1 3600 600 604800 300\n10 PTR mail.bench.test.\n',
  );
  const trace = (i) =>
    STORED
      ? `Return-Path: <bounce@bench.test>\r\nAuthentication-Results: mx.bench; none\r\nReceived: from mail.bench.test (mail.bench.test [192.0.2.10])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n\tby mx.bench (mailcheck) with ESMTPS id B${i}\r\n\tfor <rcpt@example.net>; Sat, 29 Nov 2025 10:00:01 +0000\r\n`
      : '';
  const kinds = {
    'rsa-sha256 (2048)': {
      selector: 'rsa',
      algorithm: 'rsa-sha256',
      privateKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }),
    },
    'ed25519-sha256': {
      selector: 'ed',
      algorithm: 'ed25519-sha256',
      privateKey: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    },
  };
  const rows = [];
  for (const [label, k] of Object.entries(kinds)) {
    const md = join(dir, k.selector);
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    let bytes = 0;
    for (let i = 0; i < N; i++) {
      const msg = Buffer.from(
        [
          `From: Sender ${i} <sender@bench.test>`,
          'To: rcpt@example.net',
          `Subject: message ${i} ${randomBytes(4).toString('hex')}`,
          'Date: Sat, 29 Nov 2025 10:00:00 +0000',
          `Message-ID: <${i}.${randomBytes(6).toString('hex')}@bench.test>`,
          '',
          body(i),
          '',
        ].join('\r\n'),
      );
      const r = await dkimSign(msg, {
        signTime,
        signatureData: [
          {
            signingDomain: 'bench.test',
            selector: k.selector,
            privateKey: k.privateKey,
            algorithm: k.algorithm,
            canonicalization: 'relaxed/relaxed',
          },
        ],
      });
      const signed = Buffer.concat([Buffer.from(trace(i)), Buffer.from(r.signatures), msg]);
      bytes += signed.length;
      writeFileSync(join(md, 'new', `${1764410400 + i}.M${i}P1Q1.bench`), signed);
    }
    const files = readdirSync(join(md, 'new')).map((f) => join(md, 'new', f));

    // mailcheck and python3-dkim take turns, so load from elsewhere on the machine hits both alike.
    // mailcheck: the whole process (start-up included), and the rate it reports itself for the verifying
    // (files listed, read, verified, printed; start-up and context excluded), like the python figure.
    const py = `import sys, time, dkim\nrec = ${JSON.stringify(records)}\ndns = lambda name, timeout=5: rec.get(name.decode().rstrip('.'), '').encode()\nfiles = sys.argv[1:]\nmsgs = [open(f, 'rb').read() for f in files]\nt = time.perf_counter()\nok = sum(1 for m in msgs if dkim.verify(m, dnsfunc=dns))\ns = time.perf_counter() - t\nprint(ok, s)\n`;
    const ours = [];
    const oursWhole = [];
    const theirs = [];
    const theirsWhole = [];
    for (let r = 0; r < RUNS; r++) {
      let t0 = performance.now();
      const args = [
        'verify',
        md,
        '--zone',
        zone,
        '--zone',
        reverse,
        '--authserv-id',
        'mx.bench',
        '--offline',
        '--no-color',
      ];
      const p = spawnSync(process.execPath, [bin, ...args], {
        maxBuffer: 1 << 30,
      });
      oursWhole.push(N / ((performance.now() - t0) / 1000));
      const out = p.stdout.toString();
      const rate = /(\d+) messages verified in [\d.]+ s \(([\d,]+) msgs\/s\)/.exec(out);
      if (p.status !== 0 || !out.includes(`all ${N} authenticated`) || !rate)
        throw new Error(`mailcheck verify: exit ${p.status}\n${out.slice(-500)}\n${p.stderr}`);
      ours.push(Number(rate[2].replace(/,/g, '')));

      t0 = performance.now();
      const [ok, s] = execFileSync('/usr/bin/python3', ['-c', py, ...files], { maxBuffer: 1 << 26 })
        .toString()
        .trim()
        .split(' ')
        .map(Number);
      theirsWhole.push(N / ((performance.now() - t0) / 1000));
      if (ok !== N) throw new Error(`python3-dkim verified ${ok}/${N}`);
      theirs.push(N / s);
    }

    // mailauth's own verifier in one process (for reference).
    const resolver = async (name) => {
      const v = records[name];
      if (!v) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return [[v]];
    };
    const msgs = files.map((f) => readFileSync(f));
    const ma = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      let ok = 0;
      for (const m of msgs) if ((await dkimVerify(m, { resolver })).results[0].status.result === 'pass') ok++;
      if (ok !== N) throw new Error(`mailauth verified ${ok}/${N}`);
      ma.push(N / ((performance.now() - t0) / 1000));
    }
    rows.push({
      label,
      bytes: Math.round(bytes / N),
      ours: median(ours),
      oursWhole: median(oursWhole),
      python: median(theirs),
      pythonWhole: median(theirsWhole),
      mailauth: median(ma),
    });
  }

  console.log(
    `verify benchmark: ${N} messages per key type${STORED ? ' as receive stored them' : ''}, ${availableParallelism()} cores, median of ${RUNS} runs`,
  );
  const head = [
    'key',
    'avg size',
    'mailcheck',
    'python3-dkim',
    'ratio',
    'whole runs:',
    'mailcheck',
    'python3-dkim',
    'ratio',
    'mailauth',
  ];
  const widths = [18, 9, 10, 13, 6, 12, 10, 13, 6, 9];
  const line = (cells) =>
    `  ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' ')}`;
  console.log(line(head));
  const f = (x) => Math.round(x).toLocaleString('en-US');
  for (const r of rows)
    console.log(
      line([
        r.label,
        `${r.bytes} B`,
        f(r.ours),
        f(r.python),
        `${(r.ours / r.python).toFixed(2)}×`,
        '',
        f(r.oursWhole),
        f(r.pythonWhole),
        `${(r.oursWhole / r.pythonWhole).toFixed(2)}×`,
        f(r.mailauth),
      ]),
    );
  console.log(
    "  msgs/s. First pair: the verifying itself — mailcheck's own figure (`N messages verified in … (… msgs/s)`: files",
  );
  console.log("  listed, read, verified, printed) and python3-dkim's dkim.verify() loop over files read beforehand.");
  console.log('  Whole runs: each process from start to exit, interpreter start-up included.');
  console.log('  mailauth: its dkimVerify() in a loop in this process (one thread), for reference.');

  // The signature check alone, as each side makes it (RFC 8463: Ed25519 over the 32-byte SHA-256 of the header
  // data): Node's is OpenSSL 3.0's, python3-dkim's is libsodium's (python3-nacl). Best of 5 rounds of 3,000.
  const digest = createHash('sha256').update('bench').digest();
  const edSig = sign(null, digest, ed.privateKey);
  const rsaSig = sign('sha256', digest, rsa.privateKey);
  const best = (f) =>
    Math.min(
      ...Array.from({ length: 5 }, () => {
        const t0 = performance.now();
        for (let i = 0; i < 3000; i++) f();
        return ((performance.now() - t0) / 3000) * 1000;
      }),
    );
  const nodeEd = best(() => verify(null, digest, ed.publicKey, edSig));
  const nodeRsa = best(() => verify('sha256', digest, rsa.publicKey, rsaSig));
  const naclPy =
    'import sys, time, hashlib, nacl.signing\nsk = nacl.signing.SigningKey.generate(); vk = sk.verify_key\nd = hashlib.sha256(b"bench").digest(); s = sk.sign(d).signature\nbest = 1e9\nfor r in range(5):\n    t = time.perf_counter()\n    for i in range(3000): vk.verify(d, s)\n    best = min(best, (time.perf_counter() - t) / 3000 * 1e6)\nprint(best)\n';
  const nacl = spawnSync('/usr/bin/python3', ['-c', naclPy]);
  const sodium =
    nacl.status === 0
      ? `${Number(nacl.stdout.toString()).toFixed(0)} µs in libsodium (python3-nacl, what python3-dkim uses)`
      : 'python3-nacl not available';
  console.log(
    `\n  One signature check: Ed25519 ${nodeEd.toFixed(0)} µs in Node's OpenSSL ${process.versions.openssl} vs ${sodium}; RSA-2048 ${nodeRsa.toFixed(0)} µs in Node.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
