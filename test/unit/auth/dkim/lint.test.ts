import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lintDkimKey } from '../../../../src/auth/dkim/lint.js';
import { decodeDkimPublicKey, dkimKeyInfo } from '../../../../src/auth/dkim/public-key.js';
import { parseDkimKeyRecord } from '../../../../src/auth/dkim/record.js';
import { ed25519Raw, pkcs1, spki } from './keys.js';

const R2048 = spki('rsa-2048.pem');
const ED = ed25519Raw();
const lint = (text: string, explicit = true) => lintDkimKey(parseDkimKeyRecord(text), { selector: 's', explicit });
const ids = (text: string, explicit = true) =>
  lint(text, explicit)
    .map((f) => `${f.id}:${f.severity}`)
    .sort();

describe('lintDkimKey: record → finding ids', () => {
  it.each([
    [`v=DKIM1; k=rsa; p=${R2048}`, ['dkim.key.ok:ok']],
    [`v=DKIM1; k=ed25519; p=${ED}`, ['dkim.key.ok:ok']],
    [`p=${R2048}`, ['dkim.key.ok:ok']],
    [`v=DKIM1; k=rsa; p=${spki('rsa-512.pem')}`, ['dkim.key.rsa-insecure:fail']],
    [`v=DKIM1; k=rsa; p=${spki('rsa-1024.pem')}`, ['dkim.key.rsa-short:warn']],
    [`v=DKIM1; k=rsa; p=${spki('rsa-8192.pem')}`, ['dkim.key.rsa-large:warn']],
    [`v=DKIM1; k=rsa; p=${pkcs1('rsa-2048.pem')}`, ['dkim.key.rsa-pkcs1:warn']],
    [`v=DKIM1; k=ed25519; p=${spki('ed25519.pem')}`, ['dkim.key.ed25519-spki:fail']],
    [`v=DKIM1; p=${ED}`, ['dkim.key.type-mismatch:fail']],
    [`v=DKIM1; k=ed25519; p=${R2048}`, ['dkim.key.type-mismatch:fail']],
    [`v=DKIM1; k=dsa; p=${R2048}`, ['dkim.key.type-unknown:fail']],
    ['v=DKIM1; k=rsa; p=bm90IGEga2V5IGF0IGFsbA==', ['dkim.key.invalid:fail']],
    ['v=DKIM1; k=rsa; p=this is *not* base64!', ['dkim.key.invalid:fail']],
    ['v=DKIM1; k=rsa', ['dkim.record.no-key:fail']],
    ['v=DKIM1; k=rsa; p=', ['dkim.key.revoked:warn']],
    [`v=DKIM1; k=rsa; t=y; p=${R2048}`, ['dkim.key.testing:warn']],
    [`v=DKIM1; k=rsa; t=s; p=${R2048}`, ['dkim.key.ok:ok', 'dkim.key.strict:info']],
    [`v=DKIM1; k=rsa; t=x; p=${R2048}`, ['dkim.key.ok:ok']],
    [`v=DKIM1; k=rsa; h=sha1; p=${R2048}`, ['dkim.key.hash-restricted:fail']],
    [`v=DKIM1; k=rsa; h=sha1:sha256; p=${R2048}`, ['dkim.key.ok:ok']],
    [`v=DKIM1; k=rsa; s=tlsrpt; p=${R2048}`, ['dkim.key.service:fail']],
    [`v=DKIM1; k=rsa; s=email; p=${R2048}`, ['dkim.key.ok:ok']],
    [`v=DKIM2; k=rsa; p=${R2048}`, ['dkim.record.version:fail']],
    [`k=rsa; v=DKIM1; p=${R2048}`, ['dkim.record.version:fail']],
    [`v=DKIM1; k=rsa; p=${R2048}; k=ed25519`, ['dkim.record.duplicate-tag:fail']],
    [`v=DKIM1; k=rsa; oops; p=${R2048}`, ['dkim.record.syntax:fail']],
    [`v=DKIM1;; k=rsa; p=${R2048}`, ['dkim.record.empty-tag:fail']],
    [`v=DKIM1; k=rsa; n=caf\u00e9; p=${R2048}`, ['dkim.record.bad-char:warn']],
    [`v=DKIM1; k=rsa; g=*; p=${R2048}`, ['dkim.key.ok:ok', 'dkim.record.unknown-tag:info']],
  ])('%#: %s', (text, expected) => expect(ids(text)).toEqual(expected));

  it('a revoked key is only information when the selector was guessed', () => {
    expect(ids('v=DKIM1; p=', false)).toEqual(['dkim.key.revoked:info']);
  });

  it('marks the offending part of the record with a span', () => {
    const text = `v=DKIM1; k=rsa; h=sha1; p=${R2048}`;
    const f = lint(text).find((x) => x.id === 'dkim.key.hash-restricted')!;
    expect(text.slice(...f.span!)).toBe('h=sha1');
    const bad = 'v=DKIM1; k=rsa; p=bm90IGEga2V5IGF0IGFsbA==';
    expect(bad.slice(...lint(bad)[0]!.span!)).toBe('bm90IGEga2V5IGF0IGFsbA==');
    expect(lint(bad)[0]).toMatchObject({ selector: 's', ref: 'RFC 6376 §3.6.1' });
  });
});

describe('key type and size come from the key itself', () => {
  it.each([1024, 1536, 2048, 3072, 4096])('a freshly generated RSA key of %i bits reads as that size', (bits) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(decodeDkimPublicKey(p)).toMatchObject({ ok: true, type: 'rsa', bits, format: 'spki' });
  });

  it('reads Ed25519 raw keys (RFC 8463) as 256-bit Ed25519', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(decodeDkimPublicKey(der.subarray(der.length - 32).toString('base64'))).toMatchObject({
      ok: true,
      type: 'ed25519',
      bits: 256,
      format: 'raw',
    });
  });

  it('gives the size of the 512-bit fixture key even though it is unusable', () => {
    expect(dkimKeyInfo(parseDkimKeyRecord(`p=${spki('rsa-512.pem')}`))).toMatchObject({
      keyType: 'rsa',
      keyBits: 512,
      revoked: false,
    });
  });

  it('says what other key types are', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const d = decodeDkimPublicKey(publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
    expect(d).toMatchObject({ ok: false, type: 'ec' });
  });

  it('reports flags and revocation', () => {
    expect(dkimKeyInfo(parseDkimKeyRecord('v=DKIM1; t=y:s; p='))).toMatchObject({
      testing: true,
      strict: true,
      revoked: true,
      keyType: null,
      keyBits: null,
    });
  });
});
