// A resolver that never answers: `--timeout` bounds each DNS question, its tries included, so a domain comes back
// unknown after about --timeout (not once per try and per chained lookup); a timeout is a temporary finding of
// severity warn, never counted as a failure; and on a terminal the batch's progress bar shows at once.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

let silent: TestDnsServer;
const tmp = mkdtempSync(join(tmpdir(), 'mc-silent-e2e-'));
const list = join(tmp, 'domains.txt');
beforeAll(async () => {
  silent = await startTestDnsServer({ zone: '', origin: 'test', mode: 'silent' });
  writeFileSync(list, 'a.example\nb.example\nc.example\n');
});
afterAll(async () => {
  await silent?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('check against a silent resolver', () => {
  it('each domain is unknown after about --timeout, every timeout a warn, exit 3', async () => {
    const T = 1000;
    const r = await runCli([
      'check',
      '--batch',
      list,
      '--resolver',
      silent.host + ':' + silent.port,
      '--timeout',
      String(T),
      '--json',
    ]);
    expect(r.code).toBe(3);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.domain)).toEqual(['a.example', 'b.example', 'c.example']);
    for (const l of lines) {
      expect(l.summary.every((s: { verdict: string }) => s.verdict === 'unknown')).toBe(true);
      // One timeout for the domain's questions, not one per try and per lookup that follows another (4 × T before).
      expect(l.ms).toBeGreaterThanOrEqual(T - 20);
      expect(l.ms).toBeLessThan(2.5 * T);
      // The README's recipe, `.findings[] | select(.severity == "fail")`, finds no failure in a timeout.
      expect(l.findings.filter((f: { severity: string }) => f.severity === 'fail')).toEqual([]);
      expect(
        l.findings.every((f: { temporary?: boolean; severity: string }) => f.temporary && f.severity === 'warn'),
      ).toBe(true);
    }
  });

  it('on a terminal, the progress bar shows before the first domain comes back', async () => {
    // A pseudo-terminal for all three streams (Python's pty module): what a user at a terminal sees, in order.
    const script = `
import json, os, pty, select, subprocess, sys, time
master, slave = pty.openpty()
env = {k: v for k, v in os.environ.items() if k != 'CI'}
env['NO_COLOR'] = '1'
p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=${JSON.stringify(ROOT)})
os.close(slave)
out = b''
while True:
    r, _, _ = select.select([master], [], [], 30)
    if not r: break
    try: chunk = os.read(master, 65536)
    except OSError: break
    if not chunk: break
    out += chunk
p.wait()
print(json.dumps(out.decode('utf8', 'replace')))`;
    const text: string = await new Promise((resolve, reject) =>
      execFile(
        '/usr/bin/python3',
        [
          '-c',
          script,
          process.execPath,
          BIN,
          'check',
          '--batch',
          list,
          '--resolver',
          `${silent.host}:${silent.port}`,
          '--timeout',
          '2000',
        ],
        { timeout: 25000 },
        (e, stdout) => (e ? reject(e) : resolve(JSON.parse(stdout))),
      ),
    );
    const bar = text.indexOf('] 0/3 0%');
    const firstDomain = text.indexOf('? a.example');
    expect(bar).toBeGreaterThanOrEqual(0);
    expect(firstDomain).toBeGreaterThan(bar);
  });
});
