// Running the audit of one server: many short STARTTLS connections, at most `concurrency` at a time, each with
// one setting under test. Every handshake that succeeds is evidence beyond its own question (its version, suite and
// group are offered), so nothing already known is asked again. Three rounds: the versions; then, knowing them,
// suites, groups and renegotiation; then the cipher order, which needs the accepted suites. A suite family the
// server refuses as a whole is refused member by member (a server picks any suite it shares with the client: if
// it picks none of the family, it shares none), so only families it takes are tried suite by suite.
import type { X509Certificate } from 'node:crypto';
import type { EphemeralKeyInfo, SecureVersion } from 'node:tls';
import { attempt, type Attempt, type AttemptContext, type AttemptSpec } from './attempt.js';
import { suiteVerdict } from './classes.js';
import { GROUPS, TLS12_CURVES, TLS13_GROUPS, groupName } from './groups.js';
import { localTls, type LocalTls } from './local.js';
import { Pool } from './pool.js';
import { clientRenegotiation } from './renegotiation.js';
import { LEGACY_SUITES, TLS13_SUITES, suiteFamily, type SuiteInfo, type TlsVersion } from './suites.js';
import type { Offered } from './types.js';

export interface RunOptions extends AttemptContext {
  /** Connections at once (default 8). */
  concurrency?: number;
  /** performance.now() after which nothing new starts and what is running is abandoned. */
  deadline?: number;
  /** What the probe's own handshake saw: evidence for free, and the certificate chain. */
  seed?: {
    protocol: string | null;
    cipher: string | null;
    ephemeralKey: EphemeralKeyInfo | null;
    chain: X509Certificate[];
  };
}

export interface Known {
  offered: Offered;
  version: TlsVersion | null;
  note?: string;
  bits?: number;
}

export interface Observations {
  local: LocalTls;
  versions: Map<TlsVersion, Known>;
  suites: Map<string, Known>;
  groups: Map<string, Known>;
  /** Sizes of the finite-field groups seen in TLS ≤ 1.2 DHE handshakes. */
  dhe: Map<number, TlsVersion>;
  /** The highest version ≤ TLS 1.2 the server took: where suites, order and renegotiation were tried. */
  legacyVersion: TlsVersion | null;
  secureRenegotiation: boolean | null;
  clientRenegotiation: {
    result: 'accepted' | 'refused' | 'not-applicable';
    detail: string;
    version: TlsVersion;
  } | null;
  order: { pair: [string, string]; chosen: [string | null, string | null]; version: TlsVersion } | null;
  chain: X509Certificate[];
  handshakes: number;
  connections: number;
  incomplete: boolean;
}

const ALL_LEGACY = 'ALL:COMPLEMENTOFALL:@SECLEVEL=0';
const VERSIONS: readonly SecureVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'];
const BUDGET = 'not tested: the time budget ran out';

export async function runAudit(o: RunOptions): Promise<Observations> {
  const local = localTls();
  const obs: Observations = {
    local,
    versions: new Map(),
    suites: new Map(),
    groups: new Map(),
    dhe: new Map(),
    legacyVersion: null,
    secureRenegotiation: null,
    clientRenegotiation: null,
    order: null,
    chain: o.seed?.chain ?? [],
    handshakes: 0,
    connections: 0,
    incomplete: false,
  };
  const tls13Suites = TLS13_SUITES.filter((s) => local.suites.has(s.iana));
  const t13 = tls13Suites.map((s) => s.openssl).join(':');
  const renegTimeout = Math.min(o.ctx.timeoutMs, 3000);
  if (o.seed?.protocol)
    learn(obs, { protocol: o.seed.protocol, cipher: o.seed.cipher, ephemeral: o.seed.ephemeralKey });

  /** One attempt under the deadline; what it proves is learnt; null when the deadline came first. */
  const run = async (spec: AttemptSpec): Promise<Attempt | null> => {
    if (o.deadline !== undefined && performance.now() >= o.deadline) {
      obs.incomplete = true;
      return null;
    }
    const p = attempt(o, spec);
    let a: Attempt | null;
    if (o.deadline === undefined) a = await p;
    else {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), Math.max(o.deadline! - performance.now(), 0));
      });
      a = await Promise.race([p, late]);
      clearTimeout(timer);
    }
    if (!a) {
      obs.incomplete = true;
      return null;
    }
    if (a.connected) obs.connections++;
    if (a.handshake) obs.handshakes++;
    if (a.status === 'accepted') {
      learn(obs, { protocol: a.protocol ?? null, cipher: a.cipher ?? null, ephemeral: a.ephemeral ?? null });
      if (!obs.chain.length && a.chain?.length) obs.chain = a.chain;
    }
    return a;
  };
  /** run() with one retry when the server did not answer at all (a connection limit, a slow greeting). */
  const retried = async (spec: AttemptSpec): Promise<Attempt | null> => {
    const a = await run(spec);
    return a?.status === 'no-answer' ? run(spec) : a;
  };
  const noAnswer = (a: Attempt) => `not tested: no answer (${a.reason ?? 'no reason'})`;

  // 1. Versions, each alone, everything else offered. Without RFC 5746's "legacy server connect" so that a server
  //    lacking secure renegotiation shows; TLS 1.2's connection also gets our renegotiation request.
  await Promise.all(
    VERSIONS.map(async (v) => {
      if (!local.versions.has(v)) {
        obs.versions.set(v, {
          offered: null,
          version: v,
          note: `not tested: the local OpenSSL ${local.openssl} cannot offer it`,
        });
        return;
      }
      const spec: AttemptSpec = {
        version: v,
        ciphers: v === 'TLSv1.3' ? t13 : ALL_LEGACY,
        groups: (v === 'TLSv1.3' ? TLS13_GROUPS : TLS12_CURVES).join(':'),
        legacyServerConnect: false,
      };
      if (v === 'TLSv1.2')
        spec.onSecure = async (sock) => recordReneg(await clientRenegotiation(sock, renegTimeout), v);
      const a = await retried(spec);
      if (!a) return obs.versions.set(v, { offered: null, version: v, note: BUDGET });
      if (a.status === 'accepted') {
        obs.versions.set(v, { offered: true, version: v });
        if (v !== 'TLSv1.3')
          obs.secureRenegotiation = a.insecureRenegotiation ? false : (obs.secureRenegotiation ?? true);
        return;
      }
      if (a.status === 'refused') return obs.versions.set(v, { offered: false, version: v, note: a.reason });
      obs.versions.set(v, {
        offered: null,
        version: v,
        note: a.status === 'local' ? `not tested: ${a.reason}` : noAnswer(a),
      });
    }),
  );
  function recordReneg(r: { result: 'accepted' | 'refused' | 'not-applicable'; detail: string }, version: TlsVersion) {
    obs.clientRenegotiation = { ...r, version };
  }
  for (const v of ['SSLv3', 'SSLv2'] as const)
    obs.versions.set(v, {
      offered: null,
      version: v,
      note: `not tested: the local OpenSSL ${local.openssl} cannot offer it`,
    });

  const has = (v: TlsVersion) => obs.versions.get(v)?.offered === true;
  const legacy = (['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const).find(has) ?? null;
  obs.legacyVersion = legacy;

  // 2. Knowing the versions: suites, groups, renegotiation, in parallel.
  const pool = new Pool(o.concurrency ?? 8);
  const unknownSuite = (iana: string) => obs.suites.get(iana)?.offered !== true;
  const setSuite = (iana: string, k: Known) => {
    if (obs.suites.get(iana)?.offered !== true) obs.suites.set(iana, k);
  };
  const setGroup = (name: string, k: Known) => {
    if (obs.groups.get(name)?.offered !== true) obs.groups.set(name, k);
  };

  if (has('TLSv1.3')) {
    for (const s of tls13Suites)
      pool.add(async () => {
        if (!unknownSuite(s.iana)) return;
        const a = await retried({ version: 'TLSv1.3', ciphers: s.openssl!, groups: TLS13_GROUPS.join(':') });
        setSuite(s.iana, outcome(a, 'TLSv1.3', a?.cipher === s.iana));
      });
    for (const g of GROUPS.filter((x) => x.tls13))
      pool.add(async () => {
        if (obs.groups.get(g.name)?.offered === true) return;
        const a = await retried({ version: 'TLSv1.3', ciphers: t13, groups: g.node });
        setGroup(g.name, {
          ...outcome(a, 'TLSv1.3', a?.status === 'accepted' && observedGroup(a) === g.name),
          bits: g.bits,
        });
      });
  }

  if (legacy) {
    const usable = (s: SuiteInfo) => s.since !== 'TLSv1.2' || legacy === 'TLSv1.2';
    const families = new Map<string, SuiteInfo[]>();
    for (const s of LEGACY_SUITES) {
      if (!s.openssl || !local.suites.has(s.iana) || !usable(s)) continue;
      const f = suiteFamily(s.iana);
      const key = `${f.kex}-${f.auth}`;
      families.set(key, [...(families.get(key) ?? []), s]);
    }
    for (const [family, members] of families)
      pool.add(async () => {
        const a = await retried({
          version: legacy,
          ciphers: `${members.map((m) => m.openssl).join(':')}:@SECLEVEL=0`,
          groups: TLS12_CURVES.join(':'),
        });
        if (a?.status === 'refused') {
          for (const m of members)
            setSuite(m.iana, {
              offered: false,
              version: legacy,
              note: `refused with the other ${family} suites (${a.reason})`,
            });
          return;
        }
        // Accepted (or no clear answer): each member alone.
        for (const m of members)
          pool.add(async () => {
            if (!unknownSuite(m.iana)) return;
            const b = await retried({
              version: legacy,
              ciphers: `${m.openssl}:@SECLEVEL=0`,
              groups: TLS12_CURVES.join(':'),
            });
            setSuite(m.iana, outcome(b, legacy, b?.cipher === m.iana));
          });
      });
    // Curves that exist only below TLS 1.3 (and, without TLS 1.3, all of them), with the forward-secret ECDHE
    // suites: first all together, then each alone if the server took one.
    const ecdhe = `${LEGACY_SUITES.filter(
      (s) => s.openssl && local.suites.has(s.iana) && usable(s) && suiteFamily(s.iana).kex === 'ECDHE',
    )
      .map((s) => s.openssl)
      .join(':')}:@SECLEVEL=0`;
    const curves = GROUPS.filter((g) => g.kind === 'ecdhe' && (!g.tls13 || !has('TLSv1.3')));
    pool.add(async () => {
      const a = await retried({ version: legacy, ciphers: ecdhe, groups: curves.map((c) => c.node).join(':') });
      if (a?.status === 'refused') {
        for (const c of curves)
          setGroup(c.name, {
            offered: false,
            version: legacy,
            bits: c.bits,
            note: `refused with the other curves (${a.reason})`,
          });
        return;
      }
      for (const c of curves)
        pool.add(async () => {
          if (obs.groups.get(c.name)?.offered === true) return;
          const b = await retried({ version: legacy, ciphers: ecdhe, groups: c.node });
          setGroup(c.name, {
            ...outcome(b, legacy, b?.status === 'accepted' && observedGroup(b) === c.name),
            bits: c.bits,
          });
        });
    });
    // Renegotiation, when TLS 1.2's version test could not ask (no TLS 1.2, or no RFC 5746 there).
    if (!obs.clientRenegotiation)
      pool.add(async () => {
        await run({
          version: legacy,
          ciphers: ALL_LEGACY,
          groups: TLS12_CURVES.join(':'),
          onSecure: async (sock) => recordReneg(await clientRenegotiation(sock, renegTimeout), legacy),
        });
      });
  }
  await pool.drain();

  // 3. Cipher order, with two accepted suites of different classes, listed both ways round.
  if (legacy) {
    const accepted = LEGACY_SUITES.filter((s) => obs.suites.get(s.iana)?.offered === true && !/CHACHA/.test(s.iana));
    const rank = (s: SuiteInfo) => ['good', 'sufficient', 'phase-out', 'insufficient'].indexOf(suiteVerdict(s.iana));
    const best = [...accepted].sort((a, b) => rank(a) - rank(b))[0];
    const weakest = [...accepted].sort((a, b) => rank(b) - rank(a))[0];
    if (best && weakest && best !== weakest) {
      const offer = (first: SuiteInfo, second: SuiteInfo) =>
        run({
          version: legacy,
          ciphers: `${first.openssl}:${second.openssl}:@SECLEVEL=0`,
          groups: TLS12_CURVES.join(':'),
        });
      const [weakFirst, strongFirst] = await Promise.all([offer(weakest, best), offer(best, weakest)]);
      obs.order = {
        pair: [best.iana, weakest.iana],
        chosen: [weakFirst?.cipher ?? null, strongFirst?.cipher ?? null],
        version: legacy,
      };
    }
  }

  // What was never asked: suites and groups the local OpenSSL cannot offer, or versions the server does not take.
  const untried = obs.incomplete ? BUDGET : 'not tested';
  const noLegacy = (['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const).every((v) => obs.versions.get(v)?.offered === false);
  for (const s of [...TLS13_SUITES, ...LEGACY_SUITES]) {
    if (obs.suites.has(s.iana)) continue;
    const tls13 = s.since === 'TLSv1.3';
    let k: Known = { offered: null, version: tls13 ? 'TLSv1.3' : legacy, note: untried };
    if (!local.suites.has(s.iana)) k.note = `not tested: the local OpenSSL ${local.openssl} cannot offer it`;
    else if (tls13 && obs.versions.get('TLSv1.3')?.offered === false)
      k = { offered: false, version: null, note: 'TLS 1.3 is not offered' };
    else if (!tls13 && noLegacy) k = { offered: false, version: null, note: 'no version up to TLS 1.2 is offered' };
    else if (s.since === 'TLSv1.2' && legacy && legacy !== 'TLSv1.2')
      k = { offered: false, version: legacy, note: 'needs TLS 1.2, which is not offered' };
    obs.suites.set(s.iana, k);
  }
  for (const g of GROUPS) {
    if (obs.groups.has(g.name)) continue;
    // A named finite-field group is negotiated in TLS 1.3 only; below it the server sends its own DH parameters.
    const note =
      g.kind === 'ffdhe' && !has('TLSv1.3') ? 'not tested: named only in TLS 1.3, which is not offered' : untried;
    obs.groups.set(g.name, { offered: null, version: null, bits: g.bits, note });
  }
  return obs;
}

/** What an attempt says about the one thing it asked: `hit` is whether the server chose exactly that. */
function outcome(a: Attempt | null, version: TlsVersion, hit: boolean): Known {
  if (!a) return { offered: null, version, note: BUDGET };
  if (a.status === 'accepted')
    return hit
      ? { offered: true, version }
      : { offered: null, version, note: `not tested: the server chose ${a.cipher ?? 'something else'}` };
  if (a.status === 'refused') return { offered: false, version, note: a.reason };
  if (a.status === 'local') return { offered: null, version, note: `not tested: ${a.reason}` };
  return { offered: null, version, note: `not tested: no answer (${a.reason ?? 'no reason'})` };
}

function observedGroup(a: Attempt): string | null {
  const k = a.ephemeral;
  if (!k) return null;
  if (k.type === 'ECDH' && k.name) return groupName(k.name);
  if (k.type === 'DH' && k.size && a.protocol === 'TLSv1.3') return `ffdhe${k.size}`;
  return null;
}

/** A handshake's evidence: its version, suite and group are offered. */
function learn(
  obs: Observations,
  h: { protocol: string | null; cipher: string | null; ephemeral: EphemeralKeyInfo | null },
): void {
  const v = h.protocol as TlsVersion | null;
  if (!v) return;
  if (!obs.versions.has(v)) obs.versions.set(v, { offered: true, version: v });
  if (h.cipher) obs.suites.set(h.cipher, { offered: true, version: v });
  const k = h.ephemeral;
  if (k?.type === 'ECDH' && k.name) {
    const name = groupName(k.name);
    const g = GROUPS.find((x) => x.name === name);
    obs.groups.set(name, { offered: true, version: v, bits: g?.bits ?? k.size });
  } else if (k?.type === 'DH' && k.size) {
    if (v === 'TLSv1.3') obs.groups.set(`ffdhe${k.size}`, { offered: true, version: v, bits: k.size });
    else if (!obs.dhe.has(k.size)) obs.dhe.set(k.size, v);
  }
}
