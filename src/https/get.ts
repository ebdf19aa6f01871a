// HTTPS GET as RFC 8461 §3.3 wants it for the policy (and BIMI for its assets): the host resolved through OUR
// resolver (so --zone applies), the certificate verified for that host name (RFC 6125), redirects never followed,
// the body size and the time bounded; never to a loopback, private or reserved address unless allowed (DNS is
// the attacker's to write: an MTA-STS host at 169.254.169.254 must not make us fetch a cloud's metadata).
// Failures are data: which stage, and whether it was only temporary.
import { request, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { classifyAddress } from '../core/ip-ranges.js';
import { definedOnly } from '../core/object.js';
import { cnameTargets } from '../dns/cname.js';
import { isTemporary, type Resolver } from '../dns/types.js';
import { trustAnchors } from '../smtp/trust.js';

export interface HttpsGetOptions {
  resolver: Resolver;
  /** For the whole request: connect, handshake, response. */
  timeoutMs: number;
  maxBytes: number;
  /** Extra trust anchors (PEM), e.g. a private test CA. */
  ca?: readonly string[];
  /** Connect to this port instead of the URL's (tests: a local server standing in for https://mta-sts.<domain>/). */
  port?: number;
  /** Connect to loopback, link-local, private and reserved addresses too (--allow-private: a lab, a test). */
  allowPrivate?: boolean;
}

/** `address`: every address of the host is loopback, private or reserved, and that was not allowed. */
export type HttpsStage = 'url' | 'dns' | 'address' | 'connect' | 'tls' | 'http';

export interface ServedCertificate {
  subject: string;
  issuer: string;
  validTo: string;
}

export type HttpsGetResult =
  | {
      ok: true;
      url: string;
      address: string;
      port: number;
      status: number;
      contentType: string | null;
      /** The Location header of a 3xx, which we do not follow. */
      location: string | null;
      body: Buffer;
      /** The body was longer than maxBytes and was cut there. */
      truncated: boolean;
      ms: number;
      certificate: ServedCertificate | null;
    }
  | {
      ok: false;
      url: string;
      stage: HttpsStage;
      /** A timeout, refused connection or DNS failure: no verdict, try again (exit 3). */
      temporary: boolean;
      message: string;
      code?: string;
      address?: string;
      /** stage 'dns': the host is an alias (CNAME) of this name, which has no address: where the alias dangles. */
      alias?: string;
      ms: number;
    };

const contexts = new Map<string, SecureContext>();

/** One TLS context per set of trust anchors: building one parses ~150 roots, too slow to repeat per domain. */
function contextFor(extra: readonly string[]): SecureContext {
  const key = extra.join('\n');
  let c = contexts.get(key);
  if (!c) {
    c = createSecureContext({ ca: trustAnchors(extra) });
    contexts.set(key, c);
  }
  return c;
}

const TEMPORARY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

export async function httpsGet(url: string, o: HttpsGetOptions): Promise<HttpsGetResult> {
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, url, stage: 'url', temporary: false, message: 'not a valid URL', ms: 0 };
  }
  if (u.protocol !== 'https:')
    return {
      ok: false,
      url,
      stage: 'url',
      temporary: false,
      message: `${u.protocol.replace(':', '')} is not https`,
      ms: 0,
    };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = o.port ?? (u.port ? Number(u.port) : 443);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    const found = await resolveAddresses(host, o.resolver);
    if (!found.ok) {
      const failed: HttpsGetResult = {
        ok: false,
        url,
        stage: 'dns',
        temporary: found.temporary,
        message: found.message,
        ms: ms(),
      };
      if (found.alias) failed.alias = found.alias;
      return failed;
    }
    addresses = found.addresses;
  }
  if (!o.allowPrivate) {
    const refused = addresses
      .map((a) => ({ address: a, range: classifyAddress(a) }))
      .filter((a) => a.range.class !== 'public');
    addresses = addresses.filter((a) => !refused.some((r) => r.address === a));
    if (!addresses.length)
      return {
        ok: false,
        url,
        stage: 'address',
        temporary: false,
        message: `${host} is at ${refused.map((r) => `${r.address} (${r.range.range})`).join(', ')}, not a public address: not fetched (--allow-private allows it)`,
        address: refused[0]!.address,
        ms: ms(),
      };
  }
  let last: HttpsGetResult | undefined;
  // A second address only helps when the first could not be reached at all.
  for (const address of addresses.slice(0, 2)) {
    last = await getOnce(u, host, address, port, o, start);
    if (last.ok || last.stage !== 'connect') return last;
  }
  return last!;
}

async function resolveAddresses(
  host: string,
  resolver: Resolver,
): Promise<{ ok: true; addresses: string[] } | { ok: false; temporary: boolean; message: string; alias?: string }> {
  const a = await resolver.lookup(host, 'A');
  if (a.status === 'ok') return { ok: true, addresses: a.records };
  if (a.status === 'nxdomain') return dangling(host, a.cnames, 'does not exist (NXDOMAIN)', resolver);
  const aaaa = await resolver.lookup(host, 'AAAA');
  if (aaaa.status === 'ok') return { ok: true, addresses: aaaa.records };
  if (isTemporary(a) || isTemporary(aaaa)) {
    const bad = isTemporary(a) ? a : aaaa;
    return {
      ok: false,
      temporary: true,
      message: `the address lookup for ${host} failed (${bad.status.toUpperCase()})`,
    };
  }
  return dangling(host, a.cnames ?? [], 'has no A or AAAA record', resolver);
}

/** "x does not exist", or, for an alias, "x is an alias (CNAME) of y, which does not exist": where it dangles. */
async function dangling(
  host: string,
  cnames: readonly string[],
  missing: string,
  resolver: Resolver,
): Promise<{ ok: false; temporary: false; message: string; alias?: string }> {
  const alias = (await cnameTargets(resolver, cnames)).at(-1);
  if (alias === undefined) return { ok: false, temporary: false, message: `${host} ${missing}` };
  return { ok: false, temporary: false, message: `${host} is an alias (CNAME) of ${alias}, which ${missing}`, alias };
}

/** What a timed-out request was waiting for, by the stage it had reached. */
const WAITING_FOR: Partial<Record<HttpsStage, string>> = { tls: 'TLS handshake', http: 'response' };

function getOnce(
  u: URL,
  host: string,
  address: string,
  port: number,
  o: HttpsGetOptions,
  start: number,
): Promise<HttpsGetResult> {
  const ms = () => Math.round(performance.now() - start);
  const url = u.toString();
  return new Promise((resolve) => {
    let stage: HttpsStage = 'connect';
    let settled = false;
    const done = (r: HttpsGetResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    // secureContext reaches tls.connect through the agent (https.RequestOptions does not declare it).
    const options: RequestOptions & { secureContext: SecureContext } = {
      host: address,
      port,
      method: 'GET',
      path: `${u.pathname}${u.search}`,
      headers: { host: u.host, 'user-agent': 'mailcheck', accept: '*/*', connection: 'close' },
      rejectUnauthorized: true,
      agent: false,
      secureContext: contextFor(o.ca ?? []),
    };
    // SNI and the RFC 6125 name check use the host name, never the address we connect to.
    if (!isIP(host)) options.servername = host;
    const req = request(options);
    const timer = setTimeout(() => {
      const e = Object.assign(new Error(`no ${WAITING_FOR[stage] ?? 'connection'} within ${o.timeoutMs} ms`), {
        code: 'ETIMEDOUT',
      });
      req.destroy(e);
    }, o.timeoutMs);
    req.on('socket', (s) => {
      s.once('connect', () => (stage = 'tls'));
      s.once('secureConnect', () => (stage = 'http'));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      const temporary = TEMPORARY_CODES.has(code) && stage !== 'http' ? true : code === 'ETIMEDOUT';
      done(
        definedOnly({
          ok: false,
          url,
          stage,
          temporary,
          message: describeError(e),
          code: code || undefined,
          address,
          ms: ms(),
        }),
      );
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const sock = res.socket as TLSSocket;
      const peer = sock.getPeerCertificate?.();
      const certificate =
        peer && peer.subject
          ? { subject: dn(peer.subject), issuer: dn(peer.issuer), validTo: new Date(peer.valid_to).toISOString() }
          : null;
      const finish = () =>
        done({
          ok: true,
          url,
          address,
          port,
          status: res.statusCode ?? 0,
          contentType: header(res.headers['content-type']),
          location: header(res.headers.location),
          body: Buffer.concat(chunks),
          truncated,
          ms: ms(),
          certificate,
        });
      res.on('data', (d: Buffer) => {
        if (truncated) return;
        const room = o.maxBytes - size;
        if (d.length > room) {
          chunks.push(d.subarray(0, room));
          size = o.maxBytes;
          truncated = true;
          finish();
          res.destroy();
          return;
        }
        chunks.push(d);
        size += d.length;
      });
      res.on('end', finish);
      res.on('error', (e: NodeJS.ErrnoException) =>
        done({ ok: false, url, stage: 'http', temporary: true, message: describeError(e), address, ms: ms() }),
      );
    });
    req.end();
  });
}

function header(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

function dn(o: Record<string, unknown> | undefined): string {
  if (!o) return '';
  return Object.entries(o)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

function describeError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the certificate does not cover the host name (${e.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'the certificate is self-signed, not issued by a trusted CA';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'the certificate chain does not lead to a trusted CA';
    case 'CERT_HAS_EXPIRED':
      return 'the certificate has expired';
    case 'CERT_NOT_YET_VALID':
      return 'the certificate is not valid yet';
    default:
      return e.code ? `${e.code}: ${e.message}` : e.message;
  }
}
