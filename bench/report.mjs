#!/usr/bin/env node
// `mailcheck report` throughput and memory: a large provider's day of reports — N DMARC aggregate reports (default
// 10,000: 70% .xml.gz, 20% .zip, 10% mailed as messages in a Maildir) plus N/20 TLS-RPT .json.gz — over 10 domains
// and a pool of 3,000 sending IPs, read with --offline --json. Prints reports/s and rows/s (wall and CPU) and the
// peak RSS, for N/10 and N reports: memory should not grow with the number of reports, only with distinct sources.
// Needs a build (npm run build). Env: N, RUNS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

const N = Number(process.env.N ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 3);
const bin = fileURLToPath(new URL('../bin/mailcheck.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mailcheck-bench-report-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A deterministic generator, so runs compare.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = (n) => Math.floor(rand() * n);
const domains = Array.from({ length: 10 }, (_, i) => `d${i}.bench.test`);
const ips = Array.from({ length: 3000 }, (_, i) => `198.51.${100 + (i >> 8)}.${i & 255}`);
const orgs = ['google.com', 'Enterprise Outlook', 'Yahoo', 'mail.ru', 'comcast.net', 'web.de'];

function dmarcReport(i) {
  const domain = domains[i % domains.length];
  const rows = [];
  const n = 1 + pick(49);
  for (let r = 0; r < n; r++) {
    const ok = rand() < 0.8;
    rows.push(
      `<record><row><source_ip>${ips[pick(ips.length)]}</source_ip><count>${1 + pick(500)}</count><policy_evaluated><disposition>none</disposition><dkim>${ok ? 'pass' : 'fail'}</dkim><spf>${ok ? 'pass' : 'fail'}</spf></policy_evaluated></row><identifiers><envelope_from>${domain}</envelope_from><header_from>${domain}</header_from></identifiers><auth_results><dkim><domain>${domain}</domain><selector>s${pick(3)}</selector><result>${ok ? 'pass' : 'fail'}</result></dkim><spf><domain>${domain}</domain><scope>mfrom</scope><result>${ok ? 'pass' : 'softfail'}</result></spf></auth_results></record>`,
    );
  }
  const begin = 1714521600 + pick(7) * 86400;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<feedback><version>1.0</version><report_metadata><org_name>${orgs[i % orgs.length]}</org_name><email>dmarc@reporter.example</email><report_id>bench-${i}</report_id><date_range><begin>${begin}</begin><end>${begin + 86399}</end></date_range></report_metadata><policy_published><domain>${domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>\n${rows.join('\n')}\n</feedback>\n`;
  return { xml, rows: n, domain };
}

function zip(name, data) {
  const body = deflateRawSync(data);
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBuf.length, 12);
  end.writeUInt32LE(30 + nameBuf.length + body.length, 16);
  return Buffer.concat([local, nameBuf, body, central, nameBuf, end]);
}

function message(i, attachment, name) {
  const b64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `From: noreply-dmarc@reporter.example\r\nTo: rua@bench.test\r\nSubject: Report Domain: bench.test Report-ID: bench-${i}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAn aggregate report.\r\n--b\r\nContent-Type: application/gzip; name="${name}"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\n${b64}\r\n--b--\r\n`,
  );
}

function tlsReport(i) {
  const domain = domains[i % domains.length];
  return JSON.stringify({
    'organization-name': orgs[i % orgs.length],
    'date-range': { 'start-datetime': '2024-05-01T00:00:00Z', 'end-datetime': '2024-05-01T23:59:59Z' },
    'contact-info': 'tlsrpt@reporter.example',
    'report-id': `tls-${i}`,
    policies: [
      {
        policy: { 'policy-type': 'sts', 'policy-domain': domain, 'mx-host': [`mx.${domain}`] },
        summary: { 'total-successful-session-count': 1000, 'total-failure-session-count': 3 },
        'failure-details': [
          { 'result-type': 'certificate-expired', 'receiving-mx-hostname': `mx.${domain}`, 'failed-session-count': 3 },
        ],
      },
    ],
  });
}

/** Writes n reports (and n/20 TLS-RPT) under `root`; returns the number of DMARC rows. */
function corpus(root, n) {
  const files = join(root, 'files');
  const md = join(root, 'maildir');
  for (const d of [files, join(md, 'new'), join(md, 'cur'), join(md, 'tmp')]) mkdirSync(d, { recursive: true });
  let rows = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = dmarcReport(i);
    rows += r.rows;
    const name = `${orgs[i % orgs.length]}!${r.domain}!${i}.xml`;
    let data;
    let path;
    if (i % 10 < 7) [path, data] = [join(files, `${name}.gz`), gzipSync(r.xml)];
    else if (i % 10 < 9) [path, data] = [join(files, `${name}.zip`), zip(name, Buffer.from(r.xml))];
    else [path, data] = [join(md, 'new', `${1714521600 + i}.M${i}P1.bench`), message(i, gzipSync(r.xml), `${name}.gz`)];
    bytes += data.length;
    writeFileSync(path, data);
  }
  for (let i = 0; i < Math.floor(n / 20); i++) writeFileSync(join(files, `tls-${i}.json.gz`), gzipSync(tlsReport(i)));
  return { rows, bytes };
}

const hook = join(dir, 'usage-hook.mjs');
writeFileSync(
  hook,
  `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(process.env.MC_USAGE_FILE, JSON.stringify({ maxRSS: u.maxRSS, cpu: u.userCPUTime + u.systemCPUTime })); });\n`,
);

try {
  const results = [];
  for (const n of [Math.max(1, Math.floor(N / 10)), N]) {
    const root = join(dir, String(n));
    const { rows, bytes } = corpus(root, n);
    const walls = [];
    const cpus = [];
    const rss = [];
    for (let r = 0; r < RUNS; r++) {
      const usage = join(dir, `usage-${n}-${r}.json`);
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [bin, 'report', root, '--offline', '--json'], {
        env: { ...process.env, NODE_OPTIONS: `--import ${hook}`, MC_USAGE_FILE: usage },
        maxBuffer: 1 << 30,
      });
      walls.push((performance.now() - t0) / 1000);
      const lines = p.stdout.toString().trim().split('\n');
      const inputs = JSON.parse(lines.at(-1));
      const expected = n + Math.floor(n / 20);
      if (inputs.type !== 'inputs' || inputs.reports !== expected || inputs.unreadable)
        throw new Error(
          `report read ${inputs.reports}/${expected} (exit ${p.status}): ${p.stderr.toString().slice(0, 500)}`,
        );
      const u = JSON.parse(readFileSync(usage, 'utf8'));
      cpus.push(u.cpu / 1e6);
      rss.push(u.maxRSS / 1024);
    }
    results.push({ n, rows, bytes, wall: median(walls), cpu: median(cpus), rss: Math.max(...rss) });
  }
  console.log(`report benchmark: ${availableParallelism()} cores, median of ${RUNS} runs, --offline --json`);
  const f = (x) => Math.round(x).toLocaleString('en-US');
  for (const r of results) {
    const reports = r.n + Math.floor(r.n / 20);
    console.log(
      `  ${f(reports)} reports (${f(r.rows)} rows, ${(r.bytes / 2 ** 20).toFixed(1)} MiB packed): ` +
        `${f(reports / r.wall)} reports/s, ${f(r.rows / r.wall)} rows/s wall (${r.wall.toFixed(2)} s); ` +
        `${f(reports / r.cpu)} reports/s, ${f(r.rows / r.cpu)} rows/s CPU (${r.cpu.toFixed(2)} s); peak RSS ${r.rss.toFixed(0)} MiB`,
    );
  }
  console.log('  wall: the whole process, start-up included; CPU: user + system of the process (all threads).');
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
}
