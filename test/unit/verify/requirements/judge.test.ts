// The bulk-sender verdict of whole messages (verifyMessage), rule by rule: what passes, what fails and why, what
// cannot be judged without the connection, what --bulk changes, and DNS failures as temporary, never as verdicts.
import { sealMessage } from 'mailauth';
import { describe, expect, it } from 'vitest';
import { traceHeaders } from '../../../../src/receive/trace-headers.js';
import type { Requirement } from '../../../../src/verify/requirements/types.js';
import { ruleOf } from '../../../../src/verify/requirements/judge.js';
import { verifyMessage, type VerifyOptions } from '../../../../src/verify/verdict.js';
import { ONE_CLICK, ctx, forwarderKey, message, resolver, signed, SIGNED_FIELDS } from './world.js';

const verify = (raw: Buffer, o: Partial<VerifyOptions> = {}, c = ctx) =>
  verifyMessage(raw, { authservId: 'mx.test', ...o }, c);
const byId = (rs: Requirement[]) => Object.fromEntries(rs.map((r) => [r.id, r]));
const results = (rs: Requirement[]) => Object.fromEntries(rs.map((r) => [r.id, r.result]));
const FROM_BULK = { ip: '192.0.2.10', helo: 'mail.bulk.test', sender: 'bounce@bulk.test' };
const stamp = (tls: boolean, ip = '192.0.2.10', helo = 'mail.bulk.test') =>
  traceHeaders({
    hostname: 'mx.test',
    helo,
    ip,
    clientName: null,
    protocol: tls ? 'ESMTPS' : 'ESMTP',
    ...(tls ? { tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' } } : {}),
    id: 'Q1',
    mailFrom: 'bounce@bulk.test',
    rcptTo: ['bob@example.net'],
    date: new Date('2025-11-29T10:00:01Z'),
    authenticationResults: 'Authentication-Results: mx.test; none',
  });

describe('sender requirements of one message', () => {
  it('a bulk sender doing everything right, with --ip/--helo: every rule judged, only TLS unknown', async () => {
    const v = await verify(
      await signed(message({ extra: ONE_CLICK }), [...SIGNED_FIELDS, 'list-unsubscribe', 'list-unsubscribe-post']),
      {
        ...FROM_BULK,
        bulk: true,
      },
    );
    expect(results(v.requirements)).toEqual({
      'auth.spf-or-dkim': 'pass',
      'auth.spf-and-dkim': 'pass',
      'dmarc.record': 'pass',
      'dmarc.alignment': 'pass',
      'dns.fcrdns': 'pass',
      'dns.helo': 'pass',
      'transport.tls': 'not-applicable',
      'format.rfc5322': 'pass',
      'unsubscribe.one-click': 'pass',
      'arc.forwarded': 'not-applicable',
      'from.impersonation': 'not-applicable',
    });
    const r = byId(v.requirements);
    expect(r['dns.fcrdns']!.reason).toBe('192.0.2.10 → mail.bulk.test → 192.0.2.10');
    expect(r['dns.helo']!.reason).toBe("mail.bulk.test resolves (192.0.2.10, 2001:db8::10, the client's own address)");
    expect(r['dmarc.record']!.reason).toBe('p=none published at _dmarc.bulk.test');
    expect(r['unsubscribe.one-click']!.reason).toBe('https URI and One-Click, both signed by d=bulk.test (RFC 8058)');
    expect(r['auth.spf-and-dkim']).toMatchObject({
      scope: 'bulk',
      advisory: false,
      ref: expect.stringContaining('Gmail, Yahoo'),
    });
    expect(v.requirementsVerdict).toEqual({ profile: 'bulk', result: 'pass', failed: [], advice: [] });
    expect(v.connection).toEqual({ source: 'options', ip: '192.0.2.10', helo: 'mail.bulk.test', tls: null });
  });

  it('without --bulk the bulk-sender rules are advice: judged, shown, not counted', async () => {
    const v = await verify(await signed(message()), FROM_BULK);
    const r = byId(v.requirements);
    expect(r['unsubscribe.one-click']).toMatchObject({ result: 'fail', advisory: true, scope: 'bulk' });
    expect(r['auth.spf-or-dkim']).toMatchObject({ result: 'pass', advisory: false, scope: 'all' });
    expect(v.requirementsVerdict).toEqual({
      profile: 'all',
      result: 'pass',
      failed: [],
      advice: ['unsubscribe.one-click'],
    });
    const bulk = await verify(await signed(message()), { ...FROM_BULK, bulk: true });
    expect(bulk.requirementsVerdict).toEqual({
      profile: 'bulk',
      result: 'fail',
      failed: ['unsubscribe.one-click'],
      advice: [],
    });
  });

  it('without --ip and without a Received: of ours, the connection rules are not applicable, and say why', async () => {
    const v = await verify(await signed(message()));
    const r = byId(v.requirements);
    expect(r['auth.spf-or-dkim']).toMatchObject({ result: 'pass', reason: 'DKIM pass (d=bulk.test)' });
    expect(r['auth.spf-and-dkim']).toMatchObject({
      result: 'not-applicable',
      reason: 'DKIM pass (d=bulk.test); SPF not checked (client IP unknown)',
    });
    expect(r['dns.fcrdns']).toMatchObject({ result: 'not-applicable', reason: 'client IP unknown' });
    expect(r['dns.helo']).toMatchObject({ result: 'not-applicable', reason: 'HELO name unknown' });
    expect(r['transport.tls']).toMatchObject({
      result: 'not-applicable',
      reason: 'not known: no Received: field of ours',
    });
    expect(v.connection).toBeNull();
    // Unsigned and no IP: whether SPF would have passed is unknown, so is the all-senders authentication rule.
    const unsigned = await verify(Buffer.from(message()));
    expect(byId(unsigned.requirements)['auth.spf-or-dkim']).toMatchObject({ result: 'not-applicable' });
    expect(byId(unsigned.requirements)['dmarc.alignment']).toMatchObject({ result: 'not-applicable' });
  });

  it('SPF or DKIM, SPF and DKIM: failures say which', async () => {
    const other = { ip: '192.0.2.99', helo: 'other.bulk.test', sender: 'bounce@bulk.test' };
    const unsigned = await verify(Buffer.from(message()), { ...other, bulk: true });
    const r = byId(unsigned.requirements);
    expect(r['auth.spf-or-dkim']).toMatchObject({
      result: 'fail',
      reason: 'neither passed: SPF fail for bulk.test, no DKIM signature',
    });
    expect(r['auth.spf-and-dkim']).toMatchObject({
      result: 'fail',
      reason: 'both must pass: SPF fail for bulk.test, no DKIM signature',
    });
    expect(r['dmarc.alignment']).toMatchObject({
      result: 'fail',
      reason: 'nothing aligned with From: bulk.test: SPF fail for bulk.test, no DKIM signature',
    });
    // DKIM alone fails the bulk rule whatever SPF would say: no IP needed for that verdict.
    expect(byId((await verify(Buffer.from(message()), { bulk: true })).requirements)['auth.spf-and-dkim'].result).toBe(
      'fail',
    );
    // SPF passing alone satisfies the all-senders rule.
    const spfOnly = byId((await verify(Buffer.from(message()), FROM_BULK)).requirements);
    expect(spfOnly['auth.spf-or-dkim']).toMatchObject({ result: 'pass', reason: 'SPF pass for bulk.test' });
  });

  it('DMARC record: missing, and for a From: with no domain', async () => {
    const v = await verify(await signed(message({ from: 'news@nodmarc.test' }), SIGNED_FIELDS, 'nodmarc.test'), {
      bulk: true,
    });
    expect(byId(v.requirements)['dmarc.record']).toMatchObject({
      result: 'fail',
      reason: 'nodmarc.test publishes no DMARC record (p=none at least is asked)',
    });
    // A record receivers ignore (p=bogus, no valid rua=: no DMARC processing, RFC 9989 §4.10.1) is no record.
    const ignored = await verify(Buffer.from(message({ from: 'news@ignored.test' })), { bulk: true });
    expect(ignored.dmarc).toMatchObject({ result: 'none', policy: null, record: 'v=DMARC1; p=bogus' });
    expect(byId(ignored.requirements)['dmarc.record']).toMatchObject({
      result: 'fail',
      reason: expect.stringContaining('no DMARC processing'),
    });
    const noFrom = await verify(Buffer.from(message({ from: 'undisclosed-recipients:;' })), { bulk: true });
    expect(byId(noFrom.requirements)['dmarc.record']).toMatchObject({
      result: 'fail',
      reason: expect.stringMatching(/^no single From: domain/),
    });
  });

  it('reverse DNS: no PTR, and a PTR whose name does not resolve back', async () => {
    const noPtr = byId(
      (await verify(Buffer.from(message()), { ip: '192.0.2.12', helo: 'mail.bulk.test' })).requirements,
    );
    expect(noPtr['dns.fcrdns']).toMatchObject({ result: 'fail', reason: '192.0.2.12 has no PTR record' });
    const dangling = byId((await verify(Buffer.from(message()), { ip: '192.0.2.11' })).requirements);
    expect(dangling['dns.fcrdns']).toMatchObject({
      result: 'fail',
      reason: '192.0.2.11 → gone.bulk.test, but it does not resolve back to 192.0.2.11',
    });
    expect(dangling['dns.helo']).toMatchObject({ result: 'not-applicable' });
  });

  it('HELO: an address literal, a bare word, a name without addresses', async () => {
    const helo = async (h: string) =>
      byId((await verify(Buffer.from(message()), { ip: '192.0.2.10', helo: h })).requirements)['dns.helo'];
    expect(await helo('[192.0.2.10]')).toMatchObject({
      result: 'fail',
      reason: 'HELO [192.0.2.10] is an address literal, not a name that resolves',
    });
    expect(await helo('localhost')).toMatchObject({
      result: 'fail',
      reason: 'HELO localhost is not a fully qualified host name',
    });
    expect(await helo('nowhere.bulk.test')).toMatchObject({
      result: 'fail',
      reason: 'HELO nowhere.bulk.test has no A or AAAA record',
    });
    expect(await helo('other.bulk.test')).toMatchObject({
      result: 'pass',
      reason: 'other.bulk.test resolves (192.0.2.99)',
    });
  });

  it('the RFC 5322 rule lists every problem with its own id', async () => {
    const raw = Buffer.from(
      message({ extra: ['Subject: twice', 'Date: someday'] }).replace('Message-ID: <week48@bulk.test>\r\n', ''),
    );
    const r = byId((await verify(raw)).requirements)['format.rfc5322']!;
    expect(r.result).toBe('fail');
    expect(r.problems!.map((p) => p.id)).toEqual([
      'format.message-id.missing',
      'format.field.duplicate',
      'format.field.duplicate',
    ]);
    expect(r.reason).toBe(
      'there is no Message-ID: field (RFC 5322 §3.6.4); Date: appears 2 times, at most once is allowed (RFC 5322 §3.6); and 1 more',
    );
  });

  it('mailbox-provider impersonation: a gmail.com From: that fails DMARC', async () => {
    const v = await verify(Buffer.from(message({ from: 'Support <support@gmail.com>' })), FROM_BULK);
    expect(byId(v.requirements)['from.impersonation']).toMatchObject({
      result: 'fail',
      reason:
        "From: claims gmail.com, a mailbox provider's domain (gmail.com), and it does not pass DMARC (none): send from your own domain",
    });
    expect(v.requirementsVerdict).toMatchObject({ result: 'fail', failed: ['from.impersonation'] });
    const sub = await verify(Buffer.from(message({ from: 'x@mail.yahoo.co.uk' })));
    expect(byId(sub.requirements)['from.impersonation']).toMatchObject({ result: 'fail' });
    expect(
      byId((await verify(Buffer.from(message({ from: 'x@notgmail.com' })))).requirements)['from.impersonation'].result,
    ).toBe('not-applicable');
  });

  it('ARC: a forwarded message needs a valid chain, and then alignment is not asked (Gmail: direct mail only)', async () => {
    // A list adds a footer (the DKIM body hash breaks), then seals what it sends with ARC.
    const original = (await signed(message())).toString('latin1');
    const footered = Buffer.from(original.replace('Hello.', 'Hello.\r\n-- \r\nthe list'), 'latin1');
    const seal = await sealMessage(footered, {
      signingDomain: 'forwarder.test',
      selector: 'arc',
      privateKey: forwarderKey.privatePem,
      authResults: 'mx.forwarder.test; dkim=pass header.d=bulk.test; dmarc=pass header.from=bulk.test',
      cv: 'none',
      signTime: new Date('2025-11-29T10:00:02Z'),
    } as never);
    const forwarded = Buffer.concat([Buffer.from(seal), footered]);
    const list = { ip: '192.0.2.99', helo: 'other.bulk.test', sender: 'list@forwarder.test', bulk: true };
    const v = await verify(forwarded, list);
    expect(v.arc.result).toBe('pass');
    expect(v.dmarc.result).toBe('fail');
    const r = byId(v.requirements);
    expect(r['arc.forwarded']).toMatchObject({ result: 'pass', reason: 'forwarded with a valid ARC chain (i=1)' });
    expect(r['dmarc.alignment']).toMatchObject({
      result: 'not-applicable',
      reason: 'forwarded mail with a valid ARC chain: alignment is asked of direct mail',
    });
    // Changed after the seal: the chain fails, and alignment is judged again.
    const broken = Buffer.from(forwarded.toString('latin1').replace('the list', 'the list!'), 'latin1');
    const b = byId((await verify(broken, list)).requirements);
    expect(b['arc.forwarded']!.result).toBe('fail');
    expect(b['dmarc.alignment']!.result).toBe('fail');
    // Direct mail: not applicable.
    expect(byId((await verify(Buffer.from(original, 'latin1'))).requirements)['arc.forwarded']).toMatchObject({
      result: 'not-applicable',
      reason: 'not forwarded (no ARC sets)',
    });
  });

  it('a DNS failure is temporary: fail with temporary, verdict temperror, never a plain fail', async () => {
    // PTR lookups time out; everything else answers.
    const flaky = {
      lookup: (name: string, type: never) =>
        name.endsWith('.in-addr.arpa')
          ? Promise.resolve({ status: 'timeout' as const, server: 'x' })
          : resolver.lookup(name, type),
    };
    const v = await verify(await signed(message()), FROM_BULK, { ...ctx, resolver: flaky as never });
    expect(byId(v.requirements)['dns.fcrdns']).toMatchObject({ result: 'fail', temporary: true });
    expect(v.requirementsVerdict).toEqual({
      profile: 'all',
      result: 'temperror',
      failed: ['dns.fcrdns'],
      advice: ['unsubscribe.one-click'],
    });
  });
});

describe('verify without --ip reads the connection from our own Received: (issue #19 item 5)', () => {
  it('a message that passed DMARC through SPF at receive time passes again, and TLS is known', async () => {
    // Unsigned: only SPF can pass DMARC, and verify used to say dmarc=fail with no word about SPF.
    const stored = Buffer.concat([stamp(true), Buffer.from(message())]);
    const v = await verify(stored);
    expect(v.connection).toEqual({
      source: 'received',
      ip: '192.0.2.10',
      helo: 'mail.bulk.test',
      tls: true,
      tlsProtocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      by: 'mx.test',
    });
    expect(v.spf).toMatchObject({
      result: 'pass',
      ip: '192.0.2.10',
      sender: 'bounce@bulk.test',
      helo: 'mail.bulk.test',
    });
    expect(v.dmarc).toMatchObject({ result: 'pass', aligned: { spf: true, dkim: false } });
    expect(byId(v.requirements)['transport.tls']).toMatchObject({
      result: 'pass',
      reason: 'delivered over TLSv1.3 with TLS_AES_256_GCM_SHA384 (our Received: by mx.test)',
    });
    expect(byId(v.requirements)['dns.fcrdns'].result).toBe('pass');
  });

  it('in clear: the TLS rule fails; --ip still overrides the IP but TLS comes from the field', async () => {
    const stored = Buffer.concat([stamp(false), Buffer.from(message())]);
    expect(byId((await verify(stored)).requirements)['transport.tls']).toMatchObject({
      result: 'fail',
      reason: 'delivered in clear, without STARTTLS (our Received: by mx.test)',
    });
    const v = await verify(stored, { ip: '192.0.2.99' });
    expect(v.spf).toMatchObject({ result: 'fail', ip: '192.0.2.99' });
    expect(v.connection).toMatchObject({ source: 'options', ip: '192.0.2.99', tls: false });
  });

  it('a Received: field of another receiver (another authserv-id) is not read', async () => {
    const stored = Buffer.concat([stamp(true), Buffer.from(message())]);
    const v = await verify(stored, { authservId: 'someone-else.test' });
    expect(v.connection).toBeNull();
    expect(v.spf).toBeNull();
    expect(v.dmarc.result).toBe('fail');
  });
});

describe("the connection's rules, judged once a connection", () => {
  it('are judged again as soon as a fact they read differs, with the same client lookup (one connection)', async () => {
    // What receive passes for one connection: the same client-name lookup for every message.
    const client = { name: 'mail.bulk.test', ptr: ['mail.bulk.test'], iprev: 'pass' as const };
    const heloOk = { name: 'mail.bulk.test', status: 'resolves' as const, addresses: ['192.0.2.10'] };
    const heloBad = { name: 'localhost', status: 'invalid' as const, addresses: [] };
    const raw = Buffer.from(message({}));
    const judge = async (tls: boolean, helo: typeof heloOk | typeof heloBad, ip = '192.0.2.10') => {
      const connection = { source: 'smtp' as const, ip, tls, client, helo: helo.name };
      if (tls) Object.assign(connection, { tlsProtocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
      const v = await verify(raw, { connection, lookups: { client, helo } });
      return byId(v.requirements);
    };
    const first = await judge(false, heloOk);
    expect(first['transport.tls']!.result).toBe('fail');
    expect(first['dns.helo']!.result).toBe('pass');
    // The same facts again: the same verdicts.
    expect(await judge(false, heloOk)).toEqual(first);
    // After STARTTLS on the same connection: TLS passes, with what was negotiated.
    const secure = await judge(true, heloOk);
    expect(secure['transport.tls']).toMatchObject({ result: 'pass', reason: expect.stringContaining('TLSv1.3') });
    // A new HELO: its own check.
    const renamed = await judge(true, heloBad);
    expect(renamed['dns.helo']).toMatchObject({ result: 'fail', reason: expect.stringContaining('localhost') });
    // Another address with the same lookup object (not what receive does, but never a stale verdict).
    const moved = await judge(true, heloBad, '192.0.2.99');
    expect(moved['dns.fcrdns']!.reason).toContain('192.0.2.99');
    expect((await judge(false, heloOk))['transport.tls']!.result).toBe('fail');
  });
});

describe('the rule table', () => {
  it("gives each requirement's own scope and source by its id (what verify's helpers leave out and get back)", async () => {
    const v = await verify(Buffer.from(message({})), { ...FROM_BULK, bulk: true });
    expect(v.requirements).toHaveLength(11);
    for (const r of v.requirements)
      expect(ruleOf(r.id)).toEqual({ id: r.id, scope: r.scope, ref: r.ref, judge: expect.any(Function) });
  });
});
