// resolv-conf.ts: nameserver lines as glibc reads them, and its 127.0.0.1 fallback.
import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolvConf, systemServers } from '../../../src/dns/resolv-conf.js';

describe('parseResolvConf', () => {
  it('reads IPv4, IPv6 and scoped IPv6 nameservers on port 53, skipping comments and junk', () => {
    const text = [
      '# generated',
      'search example.test',
      'nameserver 192.0.2.53',
      '; nameserver 192.0.2.99',
      'nameserver\t2001:db8::53   # trailing comment',
      'nameserver dns.example.test',
      'nameserver 10.0.0.1%eth0',
      'options edns0 timeout:2',
      'nameserver fe80::1%eth0',
    ].join('\n');
    expect(parseResolvConf(text)).toEqual([
      { host: '192.0.2.53', port: 53 },
      { host: '2001:db8::53', port: 53 },
      { host: 'fe80::1%eth0', port: 53 },
    ]);
  });

  it('keeps only the first three, as glibc (MAXNS)', () => {
    const text = [1, 2, 3, 4].map((i) => `nameserver 192.0.2.${i}`).join('\n');
    expect(parseResolvConf(text).map((s) => s.host)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });
});

describe('systemServers', () => {
  it('reads the file, and falls back to 127.0.0.1:53 when it lists none or is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resolv-'));
    await writeFile(join(dir, 'with'), 'nameserver 192.0.2.1\n');
    await writeFile(join(dir, 'without'), 'search x\n');
    expect(await systemServers(join(dir, 'with'))).toEqual([{ host: '192.0.2.1', port: 53 }]);
    expect(await systemServers(join(dir, 'without'))).toEqual([{ host: '127.0.0.1', port: 53 }]);
    expect(await systemServers(join(dir, 'missing'))).toEqual([{ host: '127.0.0.1', port: 53 }]);
  });
});
