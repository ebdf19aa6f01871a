import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDkimPrivateKey } from '../../../src/auth/dkim/private-key.js';
import { UsageError } from '../../../src/core/errors.js';
import { parseMailbox } from '../../../src/send/address.js';
import { composeMessage } from '../../../src/send/compose.js';
import { dkimSignMessage, parseSigningKey } from '../../../src/send/dkim-sign.js';

const now = new Date('2026-11-29T05:15:13Z');

function rsa(bits = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    pkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    p: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}
function ed25519() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    seed: der.subarray(16).toString('base64'),
    p: publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64'),
  };
}

/** Verifies with mailauth's verifier, the public key served by a stub resolver (RFC 6376 §6). */
async function verify(message: Buffer, record: string) {
  const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === 's1._domainkey.example.test') return [[record]];
    throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  };
  const r = await (
    dkimVerify as unknown as (
      m: Buffer,
      o: object,
    ) => Promise<{
      results: {
        status: { result: string; comment?: string };
        signingDomain: string;
        selector: string;
        algo: string;
      }[];
    }>
  )(message, { resolver, curTime: now });
  return r.results[0]!;
}

const message = () =>
  composeMessage(
    {
      from: parseMailbox('Alice <alice@example.test>', 'x'),
      to: [parseMailbox('bob@example.net', 'x')],
      subject: 'Grüße',
      body: 'Hi.\n.dot line\n',
    },
    { now, random: () => 'fixed' },
  ).message;

describe('dkimSignMessage (mailauth signer, our checks)', () => {
  it.each([
    ['rsa', 'pkcs1'],
    ['rsa', 'pkcs8'],
    ['ed25519', 'pkcs8'],
    ['ed25519', 'seed'],
  ] as const)('signs relaxed/relaxed with %s (%s key) and the signature verifies', async (type, form) => {
    const k = type === 'rsa' ? rsa() : ed25519();
    const pem = (k as Record<string, string>)[form]!;
    const key = parseSigningKey(pem, '--dkim-key k.pem');
    expect(key).toMatchObject({ type, bits: type === 'rsa' ? 2048 : 256 });
    const signed = await dkimSignMessage(message(), { key, domain: 'example.test', selector: 's1', now });
    expect(signed).toMatchObject({ algorithm: `${type}-sha256`, domain: 'example.test', selector: 's1' });
    expect(signed.signedHeaders).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id']));
    const field = signed.header.replace(/\r\n[ \t]+/g, ' ');
    expect(field).toMatch(/^DKIM-Signature: /);
    expect(field).toContain('c=relaxed/relaxed');
    expect(field).toContain(`t=${Math.floor(now.getTime() / 1000)}`);
    expect(signed.message.subarray(signed.header.length).equals(message())).toBe(true);
    const v = await verify(signed.message, `v=DKIM1; k=${type}; p=${k.p}`);
    expect(v.status.result).toBe('pass');
    // and does not pass once the body is changed (mailauth says neutral for a body hash mismatch)
    const tampered = Buffer.from(signed.message.toString().replace('Hi.', 'Hi!'));
    expect((await verify(tampered, `v=DKIM1; k=${type}; p=${k.p}`)).status.result).not.toBe('pass');
  });

  it('signs List-Unsubscribe and List-Unsubscribe-Post together (RFC 8058 §4), which mailauth alone does not', async () => {
    const k = ed25519();
    const withUnsubscribe = Buffer.concat([
      Buffer.from(
        'List-Unsubscribe: <https://example.test/u/opaque>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n',
      ),
      message(),
    ]);
    const signed = await dkimSignMessage(withUnsubscribe, {
      key: parseSigningKey(k.pkcs8, 'k'),
      domain: 'example.test',
      selector: 's1',
      now,
    });
    expect(signed.signedHeaders).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
    expect((await verify(signed.message, `v=DKIM1; k=ed25519; p=${k.p}`)).status.result).toBe('pass');
  });

  it('refuses to sign a message without From: (RFC 6376 §5.4: From MUST be signed)', async () => {
    const key = parseSigningKey(ed25519().pkcs8, 'k');
    await expect(
      dkimSignMessage(Buffer.from('Subject: no from\r\n\r\nbody\r\n'), {
        key,
        domain: 'example.test',
        selector: 's1',
        now,
      }),
    ).rejects.toThrow(/RFC 6376 §5\.4/);
  });

  it('refuses RSA keys under 1024 bits (RFC 8301 §3.2)', () => {
    expect(() => parseSigningKey(rsa(768).pkcs1, '--dkim-key small.pem')).toThrow(/768-bit.*RFC 8301 §3\.2/);
  });

  it('refuses what is not an RSA or Ed25519 private key', () => {
    expect(() => parseSigningKey('hello', '--dkim-key x')).toThrow(/not a PEM private key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    expect(() => parseSigningKey(ec, '--dkim-key ec.pem')).toThrow(/ec key/);
    expect(() => parseSigningKey(rsa().p, '--dkim-key pub')).toThrow(/not a PEM private key/);
  });
});

describe('parseDkimPrivateKey (shared by dkim --key and send --dkim-key)', () => {
  it('reads PEM and the bare Ed25519 seed; anything else is a UsageError naming the source', () => {
    const ed = generateKeyPairSync('ed25519').privateKey;
    const seed = ed.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('base64');
    const fromSeed = parseDkimPrivateKey(`${seed}\n`, 'seed');
    expect(fromSeed).toMatchObject({ type: 'ed25519', bits: 256 });
    expect(fromSeed.key.export({ format: 'der', type: 'pkcs8' })).toEqual(ed.export({ format: 'der', type: 'pkcs8' }));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs1' })
      .toString();
    expect(parseDkimPrivateKey(rsa, 'rsa')).toMatchObject({ type: 'rsa', bits: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => parseDkimPrivateKey(ec, "key file 'ec.pem'")).toThrow(
      new UsageError("key file 'ec.pem' holds a ec key; DKIM signs with RSA or Ed25519 (RFC 6376, RFC 8463)"),
    );
    expect(() => parseDkimPrivateKey('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----', 'x')).toThrow(
      new UsageError('x is not a PEM private key (RSA or Ed25519)'),
    );
    expect(() => parseDkimPrivateKey('not a key', 'y')).toThrow(UsageError);
  });
});
