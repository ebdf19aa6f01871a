// The UDP socket pool (src/dns/udp-pool.ts) never keeps a process alive: its idle sockets are unref'd and no timer
// outlives a query, so a program that got its answers ends by itself, without close() and without process.exit()
// (the CLI exits explicitly, which would hide a leak; library users and the bench do not).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { parseZone } from '../../src/dns/zone/parse.js';
import { zoneResolver } from '../../src/dns/zone/resolver.js';

const ZONE = `$ORIGIN pool.test.
$TTL 300
@    IN SOA ns hostmaster 1 3600 600 604800 300
     IN NS  ns
     IN MX  10 mx
ns   IN A   127.0.0.1
mx   IN A   192.0.2.25
`;

let server: TestDnsServer;
beforeAll(async () => {
  server = await startTestDnsServer({ resolver: zoneResolver([parseZone(ZONE)]), mode: 'normal' });
});
afterAll(async () => {
  await server.close();
});

/** Runs an ES module script with node in the repo root; resolves with its exit code, stdout and time taken. */
function runScript(source: string, limitMs: number): Promise<{ code: number | null; stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the script was still running after ${limitMs} ms: something keeps the event loop alive`));
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, ms: performance.now() - start });
    });
  });
}

describe('a process using the network resolver', () => {
  it('ends by itself once its answers are in, long before the query timeout or the socket recycle time', async () => {
    const r = await runScript(
      `
      const { networkResolver } = await import('./dist/dns/network.js');
      const resolver = networkResolver({ servers: [{ host: '127.0.0.1', port: ${server.port} }], timeoutMs: 8000 });
      const answers = await Promise.all([resolver.lookup('pool.test', 'MX'), resolver.lookup('mx.pool.test', 'A'), resolver.lookup('none.pool.test', 'A')]);
      console.log(answers.map((a) => a.status).join(' '));
    `,
      6000,
    );
    expect(r).toMatchObject({ code: 0, stdout: 'ok ok nxdomain\n' });
    expect(r.ms).toBeLessThan(4000);
  });
});
