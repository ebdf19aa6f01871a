// One key record, two entry points (issue #18 item 1): `mailcheck dkim` (checkDkim) and the verifier (verifyDkim)
// read the same key records with the same parser and must not contradict each other. A key the verifier takes
// gets no `fail` from the check; a key it refuses gets no `dkim.key.ok` and at least a warning saying why.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDkim } from '../../../src/auth/dkim/check.js';
import { verifyDkim } from '../../../src/verify/dkim/verify.js';
import { parseMessage } from '../../../src/verify/message.js';
import { SOA, mailauthSign, makeKey, resolverFor, txt, type TestKey } from './keys.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const MESSAGE = 'From: Alice <alice@agree.test>\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\nHello.\r\n';

let rsa: TestKey;
let ed: TestKey;
let short: TestKey;
let weak: TestKey;

/** [name, signing key, record text] — the record published at <name>._domainkey.agree.test. */
type Case = [string, () => TestKey, () => string];
const CASES: Case[] = [
  ['rsa', () => rsa, () => `v=DKIM1; k=rsa; p=${rsa.p}`],
  ['ed', () => ed, () => `v=DKIM1; k=ed25519; p=${ed.p}`],
  ['folded', () => rsa, () => `v=DKIM1; k=rsa; p=${rsa.p.slice(0, 40)} \t${rsa.p.slice(40)}`],
  ['novers', () => rsa, () => `p=${rsa.p}`],
  ['revoked', () => rsa, () => 'v=DKIM1; k=rsa; p='],
  ['nop', () => rsa, () => 'v=DKIM1; k=rsa'],
  ['v2', () => rsa, () => `v=DKIM2; k=rsa; p=${rsa.p}`],
  ['vlast', () => rsa, () => `k=rsa; v=DKIM1; p=${rsa.p}`],
  ['dsa', () => rsa, () => `v=DKIM1; k=dsa; p=${rsa.p}`],
  ['tlsrpt', () => rsa, () => `v=DKIM1; k=rsa; s=tlsrpt; p=${rsa.p}`],
  ['email', () => rsa, () => `v=DKIM1; k=rsa; s=tlsrpt:email; p=${rsa.p}`],
  ['sha1only', () => rsa, () => `v=DKIM1; k=rsa; h=sha1; p=${rsa.p}`],
  ['dup', () => rsa, () => `v=DKIM1; k=rsa; p=${rsa.p}; k=rsa`],
  ['emptytag', () => rsa, () => `v=DKIM1;; k=rsa; p=${rsa.p}`],
  ['noequals', () => rsa, () => `v=DKIM1; k=rsa; oops; p=${rsa.p}`],
  ['badname', () => rsa, () => `v=DKIM1; k=rsa; _x=1; p=${rsa.p}`],
  ['badchar', () => rsa, () => `v=DKIM1; k=rsa; n=caf\u00e9; p=${rsa.p}`],
  ['nbsp', () => rsa, () => `v=DKIM1; k=rsa; p=${rsa.p}\u00a0`],
  ['edasrsa', () => ed, () => `v=DKIM1; p=${ed.p}`],
  ['edspki', () => ed, () => `v=DKIM1; k=ed25519; p=${spki(ed)}`],
  ['garbage', () => rsa, () => 'v=DKIM1; k=rsa; p=bm90IGEga2V5IGF0IGFsbA=='],
  ['pkcs1', () => rsa, () => `v=DKIM1; k=rsa; p=${pkcs1(rsa)}`],
  ['short', () => short, () => `v=DKIM1; k=rsa; p=${short.p}`],
  ['weak', () => weak, () => `v=DKIM1; k=rsa; p=${weak.p}`],
  ['testing', () => rsa, () => `v=DKIM1; k=rsa; t=y; p=${rsa.p}`],
  ['unknowntag', () => rsa, () => `v=DKIM1; k=rsa; g=*; p=${rsa.p}`],
];

const spki = (k: TestKey) =>
  Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(k.p, 'base64')]).toString('base64');
const pkcs1 = (k: TestKey) =>
  createPublicKey({ key: Buffer.from(k.p, 'base64'), format: 'der', type: 'spki' })
    .export({ type: 'pkcs1', format: 'der' })
    .toString('base64');

let resolver: ReturnType<typeof resolverFor>;

beforeAll(() => {
  rsa = makeKey('rsa');
  ed = makeKey('ed25519');
  short = makeKey('rsa', 1024);
  const w = generateKeyPairSync('rsa', { modulusLength: 768 });
  weak = {
    type: 'rsa',
    privatePem: w.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    p: w.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
  const lines = CASES.map(([name, , record]) => `${name}._domainkey TXT ${txt(record())}`);
  resolver = resolverFor(`$ORIGIN agree.test.\n${SOA}${lines.join('\n')}\n`);
});

describe('the dkim check and the verifier agree on every key record', () => {
  it.each(CASES.map((c) => [c[0], c]))('%s', async (name, [, key]) => {
    const k = key();
    const signed = await mailauthSign(
      Buffer.from(MESSAGE),
      [
        {
          signingDomain: 'agree.test',
          selector: name,
          privateKey: k.privatePem,
          algorithm: k.type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
        },
      ],
      new Date(NOW.getTime() - 60_000),
    );
    const [verdict] = await verifyDkim(parseMessage(signed), resolver, NOW);
    const check = await checkDkim('agree.test', { resolver }, { selectors: [name] });
    const severities = check.findings.map((f) => `${f.id}:${f.severity}`);
    if (verdict!.result === 'pass') {
      expect(
        severities.filter((s) => s.endsWith(':fail')),
        `${name}: verify passes`,
      ).toEqual([]);
    } else {
      expect(severities, `${name}: verify says ${verdict!.result} (${verdict!.reason})`).not.toContain(
        'dkim.key.ok:ok',
      );
      expect(
        check.findings.some((f) => f.severity === 'fail' || f.severity === 'warn'),
        `${name}: verify says ${verdict!.result} (${verdict!.reason}); check: ${severities.join(', ')}`,
      ).toBe(true);
    }
  });

  it('the table covers both outcomes', async () => {
    const results = new Set<string>();
    for (const [name, key] of CASES.slice(0, 6)) {
      const k = key();
      const signed = await mailauthSign(
        Buffer.from(MESSAGE),
        [
          {
            signingDomain: 'agree.test',
            selector: name,
            privateKey: k.privatePem,
            algorithm: `${k.type === 'rsa' ? 'rsa' : 'ed25519'}-sha256`,
          },
        ],
        new Date(NOW.getTime() - 60_000),
      );
      results.add((await verifyDkim(parseMessage(signed), resolver, NOW))[0]!.result);
    }
    expect([...results].sort()).toEqual(['pass', 'permerror']);
  });
});
