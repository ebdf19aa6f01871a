import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDkimKey, splitTxt } from '../../../../src/auth/dkim/keygen.js';
import { lintDkimKey } from '../../../../src/auth/dkim/lint.js';
import { decodeDkimPublicKey } from '../../../../src/auth/dkim/public-key.js';
import { parseDkimKeyRecord } from '../../../../src/auth/dkim/record.js';
import { parseZone } from '../../../../src/dns/zone/parse.js';

describe('generateDkimKey', () => {
  it.each([
    ['rsa', 2048, 'RSA PRIVATE KEY'],
    ['rsa', 1024, 'RSA PRIVATE KEY'],
    ['ed25519', 256, 'PRIVATE KEY'],
  ] as const)('%s/%i: the record holds the public half of the PEM, and lints clean', (type, bits, pemLabel) => {
    const k = generateDkimKey({
      domain: 'example.test',
      selector: 's1',
      type,
      bits: type === 'rsa' ? bits : undefined,
    });
    expect(k).toMatchObject({ type, bits, name: 's1._domainkey.example.test' });
    expect(k.privateKeyPem).toContain(`-----BEGIN ${pemLabel}-----`);
    const record = parseDkimKeyRecord(k.record);
    expect(record).toMatchObject({ version: 'DKIM1', keyType: type, issues: [] });
    const decoded = decodeDkimPublicKey(record.publicKey!);
    expect(decoded).toMatchObject({ ok: true, type, bits, format: type === 'rsa' ? 'spki' : 'raw' });
    // The published key verifies what the private key signs.
    const data = Buffer.from('hello');
    const sig = sign(type === 'rsa' ? 'sha256' : null, data, createPrivateKey(k.privateKeyPem));
    expect(
      verify(type === 'rsa' ? 'sha256' : null, data, (decoded as { key: ReturnType<typeof createPublicKey> }).key, sig),
    ).toBe(true);
    const ids = lintDkimKey(record, { selector: 's1' }).map((f) => f.id);
    expect(ids).toEqual(bits === 1024 ? ['dkim.key.rsa-short'] : ['dkim.key.ok']);
  });

  it('splits the record into ≤255-byte strings and writes a zone line our zone parser reads back', () => {
    const k = generateDkimKey({ domain: 'example.test', selector: 'big', type: 'rsa', bits: 4096 });
    expect(k.strings.length).toBe(3);
    expect(k.strings.every((s) => s.length <= 255)).toBe(true);
    expect(k.strings.join('')).toBe(k.record);
    const zone = parseZone(`$ORIGIN example.test.\n${k.zoneLine}\n`);
    expect(zone.records).toEqual([{ name: 'big._domainkey.example.test', type: 'TXT', ttl: 3600, data: k.strings }]);
  });

  it('refuses RSA sizes outside 1024-4096', () => {
    expect(() => generateDkimKey({ domain: 'x.test', selector: 's', bits: 512 })).toThrow(RangeError);
    expect(() => generateDkimKey({ domain: 'x.test', selector: 's', bits: 8192 })).toThrow(RangeError);
  });

  it('splitTxt cuts at exactly 255 bytes', () => {
    expect(splitTxt('a'.repeat(511)).map((s) => s.length)).toEqual([255, 255, 1]);
    expect(splitTxt('')).toEqual(['']);
  });
});
