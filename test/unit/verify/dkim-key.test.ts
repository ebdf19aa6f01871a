import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKeyRecord } from '../../../src/verify/dkim/key.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
const ed = generateKeyPairSync('ed25519').publicKey;
const rsaSpki = rsa.export({ type: 'spki', format: 'der' }).toString('base64');
const rsaPkcs1 = rsa.export({ type: 'pkcs1', format: 'der' }).toString('base64');
const edSpki = ed.export({ type: 'spki', format: 'der' });
const edRaw = edSpki.subarray(12).toString('base64');

describe('parseKeyRecord: p= decoded by the one decoder, held to what k= says', () => {
  it('takes RSA as SubjectPublicKeyInfo or RSAPublicKey (RFC 6376 §3.6.1), with its size', () => {
    for (const p of [rsaSpki, rsaPkcs1]) {
      const r = parseKeyRecord(`v=DKIM1; k=rsa; p=${p}`);
      expect(r.ok && r.key.keyType === 'rsa' && r.key.bits).toBe(1024);
      expect(r.ok && r.key.key.asymmetricKeyType).toBe('rsa');
    }
  });

  it('takes Ed25519 as the bare 32 bytes (RFC 8463 §4.2)', () => {
    const r = parseKeyRecord(`v=DKIM1; k=ed25519; p=${edRaw}`);
    expect(r.ok && r.key.key.asymmetricKeyType).toBe('ed25519');
    expect(r.ok && r.key.bits).toBe(256);
  });

  it('refuses a key of another type than k= names, either way round', () => {
    expect(parseKeyRecord(`k=rsa; p=${edRaw}`)).toMatchObject({
      ok: false,
      reason: 'invalid public key: p= holds an Ed25519 key, but k=rsa',
    });
    expect(parseKeyRecord(`k=ed25519; p=${rsaSpki}`)).toMatchObject({
      ok: false,
      reason: 'invalid public key: p= holds an RSA key, but k=ed25519',
    });
  });

  it('refuses an Ed25519 key wrapped in SubjectPublicKeyInfo: RFC 8463 publishes it bare', () => {
    expect(parseKeyRecord(`k=ed25519; p=${edSpki.toString('base64')}`)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/bare 32-byte key/),
    });
  });

  it('says why junk is not a key, and k= defaults to rsa', () => {
    const r = parseKeyRecord(`p=${Buffer.from('not a key at all').toString('base64')}`);
    expect(r).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid public key: p= decodes to 16 bytes/),
    });
  });
});
