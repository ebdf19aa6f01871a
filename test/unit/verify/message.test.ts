import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeaderText, parseAddressList, addressDomain, walkAddressList } from '../../../src/verify/address.js';
import {
  canonicalBody,
  canonicalizeHeader,
  selectSignedFields,
  withoutSignatureValue,
} from '../../../src/verify/dkim/canonicalize.js';
import { strictTagList } from '../../../src/auth/shared/tag-list.js';
import { MessageFormatError, parseMessage, toCrlf } from '../../../src/verify/message.js';

/** The canonical body as one buffer (verification streams it into the hash instead). */
function canonicalizeBody(body: Buffer, canon: 'simple' | 'relaxed'): Buffer {
  const pieces: Buffer[] = [];
  canonicalBody(body, canon, (p) => pieces.push(p));
  return Buffer.concat(pieces);
}

describe('parseMessage', () => {
  it('keeps header fields byte for byte, folding included, and splits the body at the first empty line', () => {
    const m = parseMessage(Buffer.from('Subject: a\r\n  folded\r\nFrom : x@y\r\n\r\nbody\r\n\r\nmore'));
    expect(m.headers).toEqual([
      { key: 'subject', raw: 'Subject: a\r\n  folded' },
      { key: 'from', raw: 'From : x@y' },
    ]);
    expect(m.body.toString()).toBe('body\r\n\r\nmore');
  });

  it('turns bare LF into CRLF (RFC 5322 §2.1), and leaves CRLF input untouched (same buffer)', () => {
    expect(toCrlf(Buffer.from('a\nb\r\nc\n')).toString()).toBe('a\r\nb\r\nc\r\n');
    const crlf = Buffer.from('a\r\nb\r\n');
    expect(toCrlf(crlf)).toBe(crlf);
  });

  it('accepts a message with no body', () => {
    expect(parseMessage(Buffer.from('Subject: x\r\n')).body.length).toBe(0);
  });

  for (const [what, text, error] of [
    ['an empty file', '', /empty/],
    [
      'text that is not a header',
      'Dear Bob,\nhow are you?\n',
      /first line of the header section is not a header field/,
    ],
    ['a broken header in the middle', 'Subject: x\nthis is no header\n\nbody', /line 2/],
    ['binary junk', 'Subject: \0\0\0\n\n', /NUL/],
    ['a leading empty line', '\r\nSubject: x\r\n', /starts with an empty line/],
  ] as const) {
    it(`rejects ${what} with a MessageFormatError`, () => {
      expect(() => parseMessage(Buffer.from(text))).toThrow(MessageFormatError);
      expect(() => parseMessage(Buffer.from(text))).toThrow(error);
    });
  }
});

describe('canonicalization: the example of RFC 6376 §3.4.6', () => {
  const raw = 'A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n';
  const m = parseMessage(Buffer.from(raw));
  it('relaxed header', () => {
    expect(m.headers.map((h) => canonicalizeHeader(h, 'relaxed')).join('')).toBe('a:X\r\nb:Y Z\r\n');
  });
  it('relaxed body', () => {
    expect(canonicalizeBody(m.body, 'relaxed').toString()).toBe(' C\r\nD E\r\n');
  });
  it('simple header', () => {
    expect(m.headers.map((h) => canonicalizeHeader(h, 'simple')).join('')).toBe('A: X\r\nB : Y\t\r\n\tZ  \r\n');
  });
  it('simple body', () => {
    expect(canonicalizeBody(m.body, 'simple').toString()).toBe(' C \r\nD \t E\r\n');
  });
  it('empty bodies: CRLF for simple, nothing for relaxed (§3.4.3, §3.4.4); a missing final CRLF is added', () => {
    expect(canonicalizeBody(Buffer.alloc(0), 'simple').toString()).toBe('\r\n');
    expect(canonicalizeBody(Buffer.from('\r\n\r\n'), 'relaxed').length).toBe(0);
    expect(canonicalizeBody(Buffer.from('x'), 'relaxed').toString()).toBe('x\r\n');
    expect(canonicalizeBody(Buffer.from('x'), 'simple').toString()).toBe('x\r\n');
  });
});

describe('signed field selection and the b= tag (RFC 6376 §5.4.2, §3.7)', () => {
  const m = parseMessage(Buffer.from('Received: 1\r\nTo: a\r\nReceived: 2\r\nFrom: f\r\n\r\n'));
  it('takes fields bottom up, and a name listed more often than present stands for nothing', () => {
    expect(selectSignedFields(m.headers, ['received', 'received', 'received', 'from']).map((h) => h.raw)).toEqual([
      'Received: 2',
      'Received: 1',
      'From: f',
    ]);
  });
  it('empties b= but keeps bh= and everything else', () => {
    const f = { key: 'dkim-signature', raw: 'DKIM-Signature: v=1; bh=abc=;\r\n b=AAAA\r\n BBBB; s=x' };
    expect(withoutSignatureValue(f).raw).toBe('DKIM-Signature: v=1; bh=abc=;\r\n b=; s=x');
  });
});

describe('tag lists as the verifier takes them (RFC 6376 §3.2)', () => {
  it('parses with whitespace and a trailing semicolon; rejects duplicates, bad names and empty tag-specs', () => {
    const r = strictTagList(' v=1 ;\r\n a = rsa-sha256 ; b = x y ;');
    expect('tags' in r && Object.fromEntries(r.tags)).toEqual({ v: '1', a: 'rsa-sha256', b: 'x y' });
    expect(strictTagList('a=1; a=2')).toEqual({ error: 'a= appears more than once' });
    expect('error' in strictTagList('1a=2')).toBe(true);
    expect('error' in strictTagList('a=1;; b=2')).toBe(true);
    expect('error' in strictTagList('a=1;;')).toBe(true);
    expect('error' in strictTagList('a=1; oops')).toBe(true);
  });

  it('a character outside VALCHAR does not invalidate the list (verifiers take it)', () => {
    expect(strictTagList('a=1; n=caf\u00e9')).toEqual({
      tags: new Map([
        ['a', '1'],
        ['n', 'caf\u00e9'],
      ]),
    });
  });

  it('FWS is SP, HTAB, CR and LF only: a no-break space is not trimmed from a value', () => {
    expect(strictTagList('d=example.com\u00a0; s=x')).toMatchObject({
      tags: new Map([
        ['d', 'example.com\u00a0'],
        ['s', 'x'],
      ]),
    });
  });
});

describe('From: addresses (RFC 5322 §3.4)', () => {
  const cases: [string, string[]][] = [
    ['alice@example.com', ['alice@example.com']],
    ['Alice <alice@example.com>', ['alice@example.com']],
    ['"Doe, John" <john@example.com>', ['john@example.com']],
    ['alice@example.com (Alice), bob@example.net', ['alice@example.com', 'bob@example.net']],
    ['(comment) <a@b.example> (more)', ['a@b.example']],
    ['Team: a@x.example, b@y.example;', ['a@x.example', 'b@y.example']],
    ['Undisclosed recipients:;', []],
    ['<@route.example:user@host.example>', ['user@host.example']],
  ];
  for (const [input, out] of cases) it(`${input}`, () => expect(parseAddressList(input)).toEqual(out));

  it('domains come out as lowercase A-labels; UTF-8 header bytes read back as UTF-8', () => {
    expect(addressDomain('x@Example.COM.')).toBe('example.com');
    expect(addressDomain(decodeHeaderText(Buffer.from('x@bücher.example', 'utf8').toString('latin1')))).toBe(
      'xn--bcher-kva.example',
    );
  });
});

describe('parseAddressList, the short way', () => {
  it('finds what the character walk finds, for any value', () => {
    const piece = fc.constantFrom(
      'a',
      'Bo',
      ' ',
      '\t',
      '<',
      '>',
      '@',
      '.',
      'x.test',
      '(',
      ')',
      '"',
      ',',
      ';',
      ':',
      '\\',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const value = parts.join('');
        expect(parseAddressList(value)).toEqual(walkAddressList(value));
      }),
      { numRuns: 20000 },
    );
  });
});
