import { describe, expect, it } from 'vitest';
import { parseMailbox } from '../../../src/send/address.js';
import { composeMessage, formatDate, parseHeaderOption } from '../../../src/send/compose.js';
import { emlProblem, readEml } from '../../../src/send/eml.js';
import { encodeHeaderText, encodePhrase, foldHeader, quotedPrintable } from '../../../src/send/mime.js';

const now = new Date('2026-11-29T05:15:13Z');
const from = parseMailbox('Alice Example <alice@example.test>', '--from');
const to = [parseMailbox('bob@example.net', '--to')];
const compose = (o: Partial<Parameters<typeof composeMessage>[0]> = {}) =>
  composeMessage({ from, to, ...o }, { now, random: () => 'r4nd0m' });
const split = (m: Buffer) => {
  const s = m.toString('utf8');
  const i = s.indexOf('\r\n\r\n');
  return { head: s.slice(0, i), body: s.slice(i + 4) };
};

describe('parseMailbox', () => {
  it('reads bare and named addresses, and converts IDN domains to A-labels', () => {
    expect(parseMailbox('a@Example.TEST', 'x')).toEqual({
      address: 'a@example.test',
      local: 'a',
      domain: 'example.test',
      utf8: false,
    });
    expect(parseMailbox('"Doe, Jane" <jane@bücher.example>', 'x')).toMatchObject({
      name: 'Doe, Jane',
      address: 'jane@xn--bcher-kva.example',
    });
    expect(parseMailbox('<x@y.test>', 'x')).toMatchObject({ address: 'x@y.test' });
  });

  it('flags UTF-8 local parts (SMTPUTF8, RFC 6531)', () => {
    expect(parseMailbox('jösé@example.test', 'x')).toMatchObject({ utf8: true, address: 'jösé@example.test' });
  });

  it.each([
    'nobody',
    '@example.test',
    'a@',
    'a b@example.test',
    'a@exa mple.test',
    `${'x'.repeat(65)}@example.test`,
    'a@192.0.2.1',
  ])('rejects %j with a usage error', (bad) => {
    expect(() => parseMailbox(bad, '--to')).toThrow(/--to/);
  });
});

describe('MIME pieces', () => {
  it('encodes non-ASCII header text as RFC 2047 encoded-words of at most 75 characters', () => {
    expect(encodeHeaderText('plain')).toBe('plain');
    const enc = encodeHeaderText('Grüße aus Köln — ünïcödé '.repeat(4));
    for (const w of enc.split(' ')) expect(w.length).toBeLessThanOrEqual(75);
    const decoded = enc
      .split(' ')
      .map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8'))
      .join('');
    expect(decoded).toBe('Grüße aus Köln — ünïcödé '.repeat(4));
  });

  it('quotes display names with specials', () => {
    expect(encodePhrase('Alice Example')).toBe('Alice Example');
    expect(encodePhrase('Doe, "J"')).toBe('"Doe, \\"J\\""');
    expect(encodePhrase('Zoë')).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('writes quoted-printable with soft breaks at ≤76 characters (RFC 2045 §6.7)', () => {
    const qp = quotedPrintable(`${'é'.repeat(60)}\n.leading dot\ntrailing space \n`);
    for (const line of qp.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(qp).toContain('=2Eleading dot');
    expect(qp).toContain('trailing space=20');
    const decoded = Buffer.from(
      qp.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
    expect(decoded).toBe(`${'é'.repeat(60)}\r\n.leading dot\r\ntrailing space \r\n`);
  });

  it('folds long header fields at whitespace (RFC 5322 §2.2.3)', () => {
    const f = foldHeader('To', Array.from({ length: 8 }, (_, i) => `recipient${i}@example.test`).join(', '));
    for (const l of f.split('\r\n')) expect(l.length).toBeLessThanOrEqual(78);
    expect(
      f
        .split('\r\n')
        .slice(1)
        .every((l) => l.startsWith(' ')),
    ).toBe(true);
    expect(f.replace(/\r\n/g, '')).toBe(
      `To: ${Array.from({ length: 8 }, (_, i) => `recipient${i}@example.test`).join(', ')}`,
    );
  });
});

describe('composeMessage', () => {
  it('writes Date, From, To, Subject, Message-ID and MIME headers, CRLF throughout', () => {
    const c = compose({ subject: 'hello', body: 'line one\nline two' });
    const { head, body } = split(c.message);
    expect(head.split('\r\n')).toEqual([
      'Date: Sun, 29 Nov 2026 05:15:13 +0000',
      'From: Alice Example <alice@example.test>',
      'To: bob@example.net',
      'Subject: hello',
      `Message-ID: ${c.messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      'Content-Transfer-Encoding: 7bit',
    ]);
    expect(c.messageId).toMatch(/^<[a-z0-9]+\.r4nd0m@example\.test>$/);
    expect(body).toBe('line one\r\nline two\r\n');
    expect(c.message.toString()).not.toMatch(/[^\r]\n/);
    expect(c.utf8Headers).toBe(false);
  });

  it('uses MIME for non-ASCII: encoded-word subject, quoted-printable UTF-8 body, 7-bit on the wire', () => {
    const c = compose({ subject: 'Grüße', body: 'Schöne Grüße\n' });
    const { head, body } = split(c.message);
    expect(head).toContain('Subject: =?UTF-8?B?R3LDvMOfZQ==?=');
    expect(head).toContain('Content-Type: text/plain; charset=utf-8');
    expect(head).toContain('Content-Transfer-Encoding: quoted-printable');
    expect(body).toBe('Sch=C3=B6ne Gr=C3=BC=C3=9Fe\r\n');
    expect([...c.message].every((b) => b < 0x80)).toBe(true);
  });

  it('keeps a body line starting with "." intact for dot-stuffing at send time', () => {
    expect(split(compose({ body: '.\n..x\n' }).message).body).toBe('.\r\n..x\r\n');
  });

  it('adds --header fields; one named like ours replaces ours', () => {
    const c = compose({
      headers: [
        parseHeaderOption('X-Test: 1'),
        parseHeaderOption('Subject: from --header'),
        parseHeaderOption('Message-ID: <fixed@example.test>'),
      ],
    });
    const { head } = split(c.message);
    expect(head.match(/^Subject:/gm)).toHaveLength(1);
    expect(head).toContain('Subject: from --header');
    expect(head).toContain('X-Test: 1');
    expect(c.messageId).toBe('<fixed@example.test>');
  });

  it('rejects malformed --header values', () => {
    expect(() => parseHeaderOption('NoColon')).toThrow(/Name: value/);
    expect(() => parseHeaderOption('Bad Name: x')).toThrow(/Name: value/);
    expect(() => parseHeaderOption('X: a\r\nBcc: evil')).toThrow(/line break/);
  });

  it('writes EAI addresses raw in headers and says the envelope needs SMTPUTF8 (RFC 6532)', () => {
    const c = composeMessage({ from: parseMailbox('jösé@example.test', 'x'), to }, { now, random: () => 'x' });
    expect(c.utf8Headers).toBe(true);
  });

  it('formats RFC 5322 dates in UTC', () => {
    expect(formatDate(new Date('2026-01-02T03:04:05Z'))).toBe('Fri, 2 Jan 2026 03:04:05 +0000');
  });
});

describe('readEml', () => {
  it('normalises line ends and reads Message-ID and From', () => {
    const e = readEml(Buffer.from('From: "X" <x@Sub.Example.TEST>\nMessage-ID: <1@x>\nSubject: a\n  folded\n\nbody\n'));
    expect(e).toMatchObject({ messageId: '<1@x>', fromAddress: 'x@Sub.Example.TEST', fromDomain: 'sub.example.test' });
    expect(e.headers.find((h) => h.name === 'Subject')?.value).toBe('a folded');
    expect(e.message.toString()).toBe(
      'From: "X" <x@Sub.Example.TEST>\r\nMessage-ID: <1@x>\r\nSubject: a\r\n  folded\r\n\r\nbody\r\n',
    );
  });

  it('says when a file is not a message', () => {
    expect(emlProblem(Buffer.from(''))).toMatch(/empty/);
    expect(emlProblem(Buffer.from('hello world\n'))).toMatch(/header/);
    expect(emlProblem(Buffer.from('Subject: x\n\nbody'))).toBeUndefined();
  });
});
