import { describe, expect, it } from 'vitest';
import { parseTagList } from '../../../../src/auth/shared/tag-list.js';
import { looksLikeDkimKey, parseDkimKeyRecord } from '../../../../src/auth/dkim/record.js';

describe('parseTagList (RFC 6376 §3.2)', () => {
  it('splits tags, trims FWS around names and values, keeps offsets of the value', () => {
    const raw = ' v=DKIM1 ;k = rsa;\tp=AB CD ;';
    const { tags, issues } = parseTagList(raw);
    expect(issues).toEqual([]);
    expect(tags.map((t) => [t.name, t.value])).toEqual([
      ['v', 'DKIM1'],
      ['k', 'rsa'],
      ['p', 'AB CD'],
    ]);
    const p = tags[2]!;
    expect(raw.slice(p.valueStart, p.valueEnd)).toBe('AB CD');
    expect(raw.slice(tags[1]!.start, tags[1]!.end)).toBe('k = rsa');
  });

  it.each([
    ['a=1; oops; b=2', 'no-equals', 'oops'],
    ['a=1; 9x=2', 'bad-name', '9x='],
    ['a=1; =2', 'bad-name', '='],
    ['a=1;; b=2', 'empty', ';'],
    ['a=1; a=2', 'duplicate', 'a=2'],
    ['a=caf\u00e9', 'bad-char', '\u00e9'],
    ['n=\u001b[31m', 'bad-char', '\u001b'],
  ])('%j → %s issue marking %j', (raw, kind, marked) => {
    const { issues } = parseTagList(raw);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.kind).toBe(kind);
    expect(raw.slice(issues[0]!.start, issues[0]!.end)).toContain(marked);
  });

  it('allows one trailing semicolon and treats tag names case-sensitively unless asked', () => {
    expect(parseTagList('a=1;').issues).toEqual([]);
    expect(parseTagList('').issues).toEqual([]);
    // Only one: tag-list = tag-spec *( ";" tag-spec ) [ ";" ].
    expect(parseTagList('a=1;;').issues.map((i) => i.kind)).toEqual(['empty']);
    expect(parseTagList('a=1; ;').issues.map((i) => i.kind)).toEqual(['empty']);
    expect(parseTagList('a=1; A=2').issues).toEqual([]);
    expect(parseTagList('a=1; A=2', { caseInsensitive: true }).issues[0]!.kind).toBe('duplicate');
  });

  it('trims FWS (SP, HTAB, CR, LF) only: a no-break space stays in the value and is reported', () => {
    const { tags, issues } = parseTagList('s=x\u00a0; t=\r\n y ');
    expect(tags.map((t) => [t.name, t.value])).toEqual([
      ['s', 'x\u00a0'],
      ['t', 'y'],
    ]);
    expect(issues.map((i) => i.kind)).toEqual(['bad-char']);
  });

  it('is linear in its input: 30,000 empty tag-specs from a stranger are 30,000 issues, at once (quadratic before: ~14 s)', () => {
    const { tags, issues } = parseTagList(`${';'.repeat(30_000)}a=1`);
    expect(issues).toHaveLength(30_000);
    expect(tags.map((t) => t.name)).toEqual(['a']);
    // And specs without "=" before one that has it: each is not searched to the far end again.
    const many = parseTagList(`${'x;'.repeat(200_000)}a=1`);
    expect(many.issues).toHaveLength(200_000);
    expect(many.tags.map((t) => t.name)).toEqual(['a']);
  });
});

describe('parseDkimKeyRecord (RFC 6376 §3.6.1)', () => {
  it('applies the defaults: k=rsa, s=*, no flags, no hash restriction', () => {
    const r = parseDkimKeyRecord('p=QUJD');
    expect(r).toMatchObject({
      version: null,
      versionNotFirst: false,
      keyType: 'rsa',
      publicKey: 'QUJD',
      hashes: null,
      services: ['*'],
      flags: [],
      notes: null,
      unknownTags: [],
    });
  });

  it('reads every tag, lowercasing lists and removing whitespace inside p=', () => {
    const r = parseDkimKeyRecord(
      'v=DKIM1; k=ED25519; h=sha256:SHA1; s=email:*; t=y:s; n=rotate me; p=QU JD\r\n\tRE==; q=dns',
    );
    expect(r).toMatchObject({
      version: 'DKIM1',
      keyType: 'ed25519',
      hashes: ['sha256', 'sha1'],
      services: ['email', '*'],
      flags: ['y', 's'],
      notes: 'rotate me',
      publicKey: 'QUJDRE==',
    });
    expect(r.unknownTags.map((t) => t.name)).toEqual(['q']);
  });

  it('tells a revoked key (empty p=) from a missing p= tag', () => {
    expect(parseDkimKeyRecord('v=DKIM1; p=').publicKey).toBe('');
    expect(parseDkimKeyRecord('v=DKIM1; k=rsa').publicKey).toBeNull();
  });

  it('notices v= that is not the first tag', () => {
    expect(parseDkimKeyRecord('k=rsa; v=DKIM1; p=QUJD').versionNotFirst).toBe(true);
  });
});

describe('looksLikeDkimKey', () => {
  it.each([
    ['v=DKIM1; p=QUJD', true],
    ['k=rsa; p=QUJD', true],
    ['p=', true],
    ['v=spf1 -all', false],
    ['google-site-verification=abc', false],
    ['v=DMARC1; p=reject', false],
  ])('%j → %s', (text, expected) => expect(looksLikeDkimKey(text)).toBe(expected));
});
