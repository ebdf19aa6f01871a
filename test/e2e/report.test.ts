// `mailcheck report` as a user runs it: report files in every packaging, a zone for the domain's posture, text and
// NDJSON, --since, exit codes; and the whole loop: reports mailed into `receive --reports`, then read from its Maildir.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { dmarcXml, gzip, reportMessage, tlsRptJson } from '../helpers/report-corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ZONE = ['--offline', '--zone', 'fixtures/zones/rua.test.zone'];

const google = dmarcXml({
  org: 'google.com',
  reportId: 'g1',
  domain: 'rua.test',
  begin: 1714521600,
  end: 1714607999,
  rows: [
    {
      ip: '192.0.2.49',
      count: 1000,
      headerFrom: 'rua.test',
      dkimResults: [{ domain: 'rua.test', selector: 's1', result: 'pass' }],
      spfResults: [{ domain: 'rua.test', result: 'pass' }],
    },
    {
      ip: '198.51.100.5',
      count: 300,
      dkim: 'fail',
      spf: 'fail',
      headerFrom: 'rua.test',
      envelopeFrom: 'bounce.esp.example',
      dkimResults: [{ domain: 'esp.example', selector: 'esp1', result: 'pass' }],
      spfResults: [{ domain: 'bounce.esp.example', result: 'pass' }],
    },
    {
      ip: '203.0.113.66',
      count: 40,
      dkim: 'fail',
      spf: 'fail',
      headerFrom: 'rua.test',
      spfResults: [{ domain: 'rua.test', result: 'fail' }],
    },
  ],
});
const tls = tlsRptJson({
  domain: 'rua.test',
  successful: 900,
  failures: [{ type: 'certificate-expired', mx: 'mx.rua.test', sessions: 12 }],
});

// The README tour's corpus (fixtures/reports/rua.test), plus a cut-off gzip and a second copy of a report.
const TOUR = join(ROOT, 'fixtures/reports/rua.test');
const TOUR_ZONES = [...ZONE, '--zone', 'fixtures/zones/113.0.203.in-addr.arpa.zone'];
mkdirSync(join(dir, 'in'));
for (const f of readdirSync(TOUR)) copyFileSync(join(TOUR, f), join(dir, 'in', f));
writeFileSync(join(dir, 'in', 'zz-cut.xml.gz'), gzip(google).subarray(0, 50));
copyFileSync(join(TOUR, 'yahoo-report.eml'), join(dir, 'in', 'again.eml'));

describe('mailcheck report', () => {
  it('the README tour: sources table, groups, verdict with fixes, TLS-RPT; exit 1 (own sources fail)', async () => {
    const r = await runCli(['report', 'fixtures/reports/rua.test', ...TOUR_ZONES]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/^rua\.test {2}2024-05-01 → 2024-05-09 · 3 DMARC and 1 TLS-RPT reports$/m);
    expect(out).toMatch(/2,789 messages: 2,400 pass DMARC, 389 fail/);
    expect(out).toMatch(/│ 203\.0\.113\.25 +│ mail\.rua\.test +│ 2,400 86% │ 100% +│ 100% +│ aligned +│/);
    expect(out).toMatch(/│ 198\.51\.100\.5 +│ - +│ 300 11% +│ 0% +│ 0% +│ own, fails │/);
    expect(out).toMatch(/│ 192\.0\.2\.201 +│ - +│ 9 0% +│ 0% +│ 0% +│ forwarder +│/);
    expect(out).toMatch(/own infrastructure failing 326 \(11\.7%\) from 3 sources/);
    expect(out).toMatch(
      /Verdict: not ready for p=quarantine: 12\.7% of legitimate mail \(349 of 2,749\s+messages\) would be lost/,
    );
    expect(out).toMatch(
      /1\. 198\.51\.100\.5, 300 messages: in rua\.test's SPF record via\s+include:_spf\.esp\.rua\.test → ip4:198\.51\.100\.0\/28/,
    );
    expect(out).toMatch(/→ the service signs as esp\.example \(selector esp1\): have it sign with\s+d=rua\.test/);
    expect(out).toMatch(
      /2\. 203\.0\.113\.26 \(mx\.rua\.test\), 20 messages: an address of rua\.test's MX\s+mx\.rua\.test/,
    );
    expect(out).toMatch(
      /3\. 203\.0\.113\.40 \(relay\.rua\.test\), 6 messages: its confirmed reverse name\s+relay\.rua\.test is under rua\.test/,
    );
    expect(out).toMatch(
      /→ DKIM with selector old fails: publish the signer's current public key\s+at old\._domainkey\.rua\.test/,
    );
    expect(out).toMatch(/TLS-RPT 2,325 sessions: 2,310 ok, 15 failed/);
    expect(out).toMatch(/│ mx\.rua\.test │ certificate-expired +│ 12 +│ run with --smtp +│/);
    expect(out).toMatch(/^4 reports read from 4 files/m);
  });

  it('an unreadable file is one line on stderr and the rest is read; duplicates count once', async () => {
    const r = await runCli(['report', join(dir, 'in'), ...TOUR_ZONES]);
    expect(r.stderr).toMatch(/^mailcheck: \S+zz-cut\.xml\.gz: the gzip data is cut off \(unexpected end\)\n$/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^4 reports read from 6 files/m);
    expect(r.stdout).toMatch(/1 duplicate report counted once \[report\.input\.duplicate\]/);
  });

  it('--json: NDJSON, a line per source and TLS failure, a summary per domain, then the inputs', async () => {
    const r = await runCli(['report', join(dir, 'in'), ...TOUR_ZONES, '--json']);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual([
      ...Array<string>(7).fill('source'),
      'tls-failure',
      'tls-failure',
      'domain',
      'inputs',
    ]);
    expect(lines[1]).toMatchObject({
      type: 'source',
      domain: 'rua.test',
      ip: '198.51.100.5',
      messages: 300,
      dmarc: { pass: 0, fail: 300 },
      group: 'own',
      envelopeFrom: ['bounce.esp.example'],
      dkim: [{ domain: 'esp.example', selector: 'esp1', results: { pass: 300 } }],
      fix: { kind: 'dkim-sign', selector: 'esp1' },
    });
    expect(lines[0]).toMatchObject({ ip: '203.0.113.25', name: 'mail.rua.test', fcrdns: true, group: 'aligned' });
    expect(lines[7]).toMatchObject({
      type: 'tls-failure',
      mx: 'mx.rua.test',
      resultType: 'certificate-expired',
      sessions: 12,
    });
    expect(lines[9]).toMatchObject({
      type: 'domain',
      domain: 'rua.test',
      reports: { dmarc: 3, tlsrpt: 1 },
      published: { p: 'none' },
      current: { policy: 'none' },
      messages: 2789,
      groups: {
        aligned: { sources: 1, messages: 2400 },
        own: { sources: 3, messages: 326 },
        forwarder: { sources: 2, messages: 23 },
        unknown: { sources: 1, messages: 40 },
      },
      verdict: { legitimate: 2749, atRisk: 349, quarantineReady: false, rejectReady: false },
      tls: { successful: 2310, failed: 15, byType: { 'certificate-expired': 12, 'sts-policy-fetch-error': 3 } },
    });
    expect(lines[10]).toMatchObject({ type: 'inputs', files: 6, reports: 4, duplicates: 1, unreadable: 1 });
  });

  it('--since/--until select reports by their date range', async () => {
    const r = await runCli(['report', TOUR, ...TOUR_ZONES, '--json', '--since', '2024-05-02T12:00:00Z']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ type: 'inputs', reports: 2, outOfRange: 2 });
    expect(lines.find((l) => l.type === 'domain')).toMatchObject({ reports: { dmarc: 2, tlsrpt: 0 }, messages: 1235 });
    const u = await runCli(['report', TOUR, ...TOUR_ZONES, '--json', '--until', '2024-05-01T12:00:00Z']);
    expect(u.stdout.trim().split('\n').at(-1)).toMatch(/"reports":2,"duplicates":0,"outOfRange":2/);
  });

  it('bad input: nothing that is a report, a missing path, no report in the window, a bad date (exit 2, one line)', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'note.txt'), 'hello');
    const none = await runCli(['report', empty, '--offline']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no DMARC aggregate or TLS-RPT report found in 1 file\n$/);
    const missing = await runCli(['report', TOUR, join(dir, 'nope'), ...TOUR_ZONES, '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope: no such file or folder/);
    // Only a missing path: that one line, not a second about finding no report.
    const only = await runCli(['report', join(dir, 'nope'), '--offline']);
    expect(only).toMatchObject({ code: 2, stdout: '' });
    expect(only.stderr).toBe(`mailcheck: ${join(dir, 'nope')}: no such file or folder\n`);
    // Reports, but none in the window: nothing was judged, so no green exit for a CI job.
    const future = await runCli(['report', TOUR, ...TOUR_ZONES, '--since', '2099-01-01']);
    expect(future).toMatchObject({ code: 2, stdout: '' });
    expect(future.stderr).toMatch(/mailcheck: none of the \d+ reports read falls within --since\/--until\n$/);
    const date = await runCli(['report', join(dir, 'in'), '--since', 'last tuesday']);
    expect(date).toMatchObject({ code: 2, stdout: '' });
    expect(date.stderr).toBe(
      "mailcheck: --since 'last tuesday' is not a date (2024-05-01, an ISO time, or 7d / 24h)\n",
    );
  });

  it('the loop on one machine: reports mailed to `receive --reports`, then `report` on its Maildir', async () => {
    const maildir = join(dir, 'rua-inbox');
    const child = spawn(
      process.execPath,
      [BIN, 'receive', '--reports', '--json', '--count', '3', '--port', '0', '--maildir', maildir, ...ZONE],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      waiters.shift()?.();
    });
    const exited = new Promise<number | null>((res) => child.on('exit', res));
    while (!lines.length) await new Promise<void>((res) => waiters.push(res));
    const { port } = JSON.parse(lines[0]!) as { port: number };
    const messages = [
      reportMessage({ attachment: gzip(google), filename: 'google.com!rua.test!1714521600!1714607999.xml.gz' }),
      reportMessage({
        attachment: gzip(tls),
        contentType: 'application/tlsrpt+gzip',
        filename: 'tls.json.gz',
        subject: 'Report Domain: rua.test',
      }),
      Buffer.from('From: a@example.net\r\nTo: dmarc@rua.test\r\nSubject: not a report\r\n\r\nHello.\r\n'),
    ];
    for (const [i, m] of messages.entries()) {
      const eml = join(dir, `m${i}.eml`);
      writeFileSync(eml, m);
      const sent = await runCli([
        'send',
        '--eml',
        eml,
        '--from',
        'noreply@receiver.example',
        '--to',
        'dmarc@rua.test',
        '--server',
        `127.0.0.1:${port}`,
        ...ZONE,
      ]);
      expect(sent.code, sent.stderr).toBe(0);
    }
    expect(await exited).toBe(0);
    const events = lines.slice(1).map((l) => JSON.parse(l) as { event: string; report?: unknown });
    expect(events).toHaveLength(3);
    expect(events[0]!.report).toEqual({
      kind: 'dmarc',
      reporter: 'google.com',
      domain: 'rua.test',
      reportId: 'g1',
      begin: '2024-05-01T00:00:00.000Z',
      end: '2024-05-01T23:59:59.000Z',
      reports: 1,
      messages: 1340,
      failingMessages: 340,
      failingSources: 2,
    });
    expect(events[1]!.report).toMatchObject({ kind: 'tlsrpt', domain: 'rua.test', sessions: 912, failedSessions: 12 });
    expect(events[2]!.report).toBeUndefined();

    const r = await runCli(['report', maildir, ...ZONE, '--json']);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.at(-1)).toMatchObject({ type: 'inputs', files: 3, reports: 2, messagesWithoutReport: 1, unreadable: 0 });
    expect(out.find((l) => l.type === 'domain')).toMatchObject({
      domain: 'rua.test',
      reports: { dmarc: 1, tlsrpt: 1 },
      messages: 1340,
    });
  });

  it('receive --reports in text: a summary line under the message', async () => {
    const maildir = join(dir, 'rua-text');
    const child = spawn(
      process.execPath,
      [BIN, 'receive', '--reports', '--once', '--port', '0', '--maildir', maildir, ...ZONE],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', COLUMNS: '200' },
      },
    );
    let out = '';
    const ready = new Promise<number>((res) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /smtp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) res(Number(m[1]));
      }),
    );
    const exited = new Promise<number | null>((res) => child.on('exit', res));
    const port = await ready;
    const eml = join(dir, 'text.eml');
    writeFileSync(eml, reportMessage({ attachment: gzip(google), filename: 'g.xml.gz' }));
    const sent = await runCli([
      'send',
      '--eml',
      eml,
      '--from',
      'noreply@receiver.example',
      '--to',
      'dmarc@rua.test',
      '--server',
      `127.0.0.1:${port}`,
      ...ZONE,
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(await exited).toBe(0);
    expect(out).toMatch(
      /\n {4}DMARC report google\.com for rua\.test 2024-05-01 → 2024-05-01: 1,340 messages, 340 failing from 2 sources\n/,
    );
  });
});
