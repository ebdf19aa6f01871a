// The system's DNS servers from /etc/resolv.conf (resolv.conf(5)): `nameserver` lines, as glibc reads them.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { DnsServerAddress } from './transport-common.js';

/** glibc's MAXNS: later nameserver lines are ignored. */
export const MAX_NAMESERVERS = 3;

/** With no usable nameserver line glibc asks the local host (res_init: INADDR_LOOPBACK). */
export const DEFAULT_SERVERS: readonly DnsServerAddress[] = [{ host: '127.0.0.1', port: 53 }];

/** Pure: the nameserver entries of a resolv.conf text, port 53, invalid addresses skipped. */
export function parseResolvConf(text: string): DnsServerAddress[] {
  const servers: DnsServerAddress[] = [];
  for (const raw of text.split('\n')) {
    // Comments start with ';' or '#' in the first column (resolv.conf(5)); accept them after text too.
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!;
    // IPv6 may carry a zone id (fe80::1%eth0): keep it, the socket needs it to pick the interface.
    const bare = host.includes('%') ? host.slice(0, host.indexOf('%')) : host;
    if (isIP(bare) === 0 || (host.includes('%') && isIP(bare) !== 6)) continue;
    if (servers.length < MAX_NAMESERVERS) servers.push({ host, port: 53 });
  }
  return servers;
}

/** The nameservers of `path`, or 127.0.0.1:53 when it lists none or cannot be read (as glibc does). */
export async function systemServers(path = '/etc/resolv.conf'): Promise<DnsServerAddress[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [...DEFAULT_SERVERS];
  }
  const servers = parseResolvConf(text);
  return servers.length ? servers : [...DEFAULT_SERVERS];
}
