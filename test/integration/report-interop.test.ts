// Reports made by an independent implementation: Mail::DMARC (Debian libmail-dmarc-perl) writes an RFC 7489
// aggregate report, IO::Compress gzips and zips it, and its own sender assembles the report email; swaks delivers
// that email to `receive --reports`, and `report` reads every form — plain, gzip, ZIP, message, Maildir.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

const exec = promisify(execFile);
const missing = await exec('perl', ['-MMail::DMARC::Report::Aggregate', '-MIO::Compress::Zip', '-e', '1']).then(
  () => undefined,
  () => 'Mail::DMARC not installed (Debian: apt-get install libmail-dmarc-perl)',
);
const dir = mkdtempSync(join(tmpdir(), 'mc-report-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ZONES = [
  '--offline',
  '--zone',
  'fixtures/zones/rua.test.zone',
  '--zone',
  'fixtures/zones/113.0.203.in-addr.arpa.zone',
];

const PERL = String.raw`
use strict; use warnings;
use Mail::DMARC::Policy;
use Mail::DMARC::Report::Aggregate;
use Mail::DMARC::Report::Aggregate::Record;
use Mail::DMARC::Report::Send::SMTP;
use IO::Compress::Gzip qw(gzip $GzipError);
use IO::Compress::Zip qw(zip $ZipError);
my $out = shift;
my $agg = Mail::DMARC::Report::Aggregate->new;
my $m = $agg->metadata;
$m->org_name('mail-dmarc.example'); $m->email('dmarc-reports@mail-dmarc.example');
$m->report_id('perl-1'); $m->begin(1714521600); $m->end(1714607999);
$agg->policy_published(Mail::DMARC::Policy->new(v => 'DMARC1', domain => 'rua.test', p => 'none', adkim => 'r', aspf => 'r'));
$agg->record(Mail::DMARC::Report::Aggregate::Record->new(
  row => { source_ip => '203.0.113.25', count => 7, policy_evaluated => { disposition => 'none', dkim => 'pass', spf => 'pass' } },
  identifiers => { header_from => 'rua.test', envelope_from => 'rua.test' },
  auth_results => { dkim => [{ domain => 'rua.test', selector => 's2024', result => 'pass' }], spf => [{ domain => 'rua.test', scope => 'mfrom', result => 'pass' }] },
));
$agg->record(Mail::DMARC::Report::Aggregate::Record->new(
  row => { source_ip => '2001:DB8:0::1', count => 3, policy_evaluated => { disposition => 'none', dkim => 'fail', spf => 'fail', reason => [{ type => 'forwarded', comment => 'list & co <x>' }] } },
  identifiers => { header_from => 'rua.test' },
  auth_results => { spf => [{ domain => 'rua.test', scope => 'mfrom', result => 'softfail' }] },
));
$agg->record(Mail::DMARC::Report::Aggregate::Record->new(
  row => { source_ip => '203.0.113.26', count => 2, policy_evaluated => { disposition => 'none', dkim => 'fail', spf => 'fail' } },
  identifiers => { header_from => 'rua.test' },
  auth_results => { spf => [{ domain => 'rua.test', scope => 'mfrom', result => 'fail' }] },
));
my $xml = $agg->as_xml;
my ($gz, $zp);
gzip(\$xml => \$gz) or die $GzipError;
zip(\$xml => \$zp, Name => 'mail-dmarc.example!rua.test!1714521600!1714607999.xml') or die $ZipError;
sub put { my ($f, $d) = @_; open(my $fh, '>:raw', "$out/$f") or die $!; print $fh $d; close $fh; }
put('report.xml', $xml);
put('report.xml.gz', $gz);
put('report.zip', $zp);
put('report.eml', Mail::DMARC::Report::Send::SMTP->new->assemble_message_object(\$agg, 'dmarc@rua.test', $gz)->as_string);
`;

type Line = Record<string, unknown>;
const ndjson = (s: string): Line[] =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('report with Mail::DMARC as the reporter', () => {
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    const ini = readFileSync('/usr/share/perl5/auto/share/dist/Mail-DMARC/mail-dmarc.ini', 'utf8')
      .replace(/^domain(\s*)= example\.com$/m, 'domain$1= mail-dmarc.example')
      .replace(/^email(\s*)= noreply@example\.com$/m, 'email$1= noreply@mail-dmarc.example');
    writeFileSync(join(dir, 'mail-dmarc.ini'), ini);
    writeFileSync(join(dir, 'make.pl'), PERL);
    await exec('perl', [join(dir, 'make.pl'), dir], {
      env: { ...process.env, MAIL_DMARC_CONFIG_FILE: join(dir, 'mail-dmarc.ini') },
    });
  });

  it.each(['report.xml', 'report.xml.gz', 'report.zip', 'report.eml'])('reads %s', async (file) => {
    const r = await runCli(['report', join(dir, file), ...ZONES, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the MX's address fails DMARC: own infrastructure
    const lines = ndjson(r.stdout);
    const by = Object.fromEntries(lines.filter((l) => l.type === 'source').map((l) => [l.ip, l]));
    expect(by['203.0.113.25']).toMatchObject({ messages: 7, group: 'aligned', name: 'mail.rua.test', fcrdns: true });
    expect(by['2001:db8::1']).toMatchObject({
      messages: 3,
      group: 'forwarder',
      reasons: { forwarded: 3 },
      comments: ['list & co <x>'],
      spf: { softfail: 3 },
    });
    expect(by['203.0.113.26']).toMatchObject({
      messages: 2,
      group: 'own',
      fix: { kind: 'spf-ip', spf: 'ip4:203.0.113.26' },
    });
    expect(lines.find((l) => l.type === 'domain')).toMatchObject({
      domain: 'rua.test',
      reporters: [{ name: 'mail-dmarc.example', reports: 1 }],
      published: { p: 'none', sp: 'none', pct: 100, adkim: 'r', aspf: 'r' },
      missing: {},
      messages: 12,
    });
  });

  it('its report email, delivered by swaks to receive --reports, is summarized and then read from the Maildir', async () => {
    const maildir = join(dir, 'inbox');
    const child = spawn(
      process.execPath,
      [BIN, 'receive', '--reports', '--json', '--once', '--port', '0', '--maildir', maildir, ...ZONES],
      {
        cwd: ROOT,
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
    await exec('swaks', [
      '--server',
      `127.0.0.1:${port}`,
      '--from',
      'noreply@mail-dmarc.example',
      '--to',
      'dmarc@rua.test',
      '--data',
      join(dir, 'report.eml'),
    ]);
    expect(await exited).toBe(0);
    expect(JSON.parse(lines[1]!)).toMatchObject({
      event: 'message',
      report: {
        kind: 'dmarc',
        reporter: 'mail-dmarc.example',
        domain: 'rua.test',
        reportId: 'perl-1',
        messages: 12,
        failingMessages: 5,
        failingSources: 2,
      },
    });
    const r = await runCli(['report', maildir, ...ZONES, '--json']);
    expect(ndjson(r.stdout).at(-1)).toMatchObject({ type: 'inputs', files: 1, reports: 1, unreadable: 0 });
  });
});
