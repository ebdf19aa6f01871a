// RFC 5322 format as the bulk-sender rules ask it: address syntax (§3.4, RFC 6532) case by case, and every
// problem id of formatProblems() on messages that have exactly that problem.
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../../src/verify/message.js';
import { checkAddressSyntax } from '../../../../src/verify/requirements/address-syntax.js';
import { formatProblems } from '../../../../src/verify/requirements/format.js';

const HEAD = [
  'From: Alice <alice@mail.test>',
  'To: Bob <bob@example.net>',
  'Subject: hello',
  'Date: Sat, 29 Nov 2025 10:00:00 +0000',
  'Message-ID: <hello@mail.test>',
];
const msg = (head: string[], body = 'Hi.\r\n', eol = '\r\n') =>
  Buffer.from(head.join(eol) + eol + eol + body, 'latin1');
const problems = (raw: Buffer) => formatProblems(parseMessage(raw), raw);
const ids = (raw: Buffer) => problems(raw).map((p) => p.id);
/** HEAD with the field `name` replaced by `line`, or left out (null). */
const replace = (name: string, line: string | null) =>
  HEAD.flatMap((l) => {
    if (!l.toLowerCase().startsWith(`${name.toLowerCase()}:`)) return [l];
    return line === null ? [] : [line];
  });

describe('address syntax (RFC 5322 §3.4)', () => {
  it.each([
    ['alice@mail.test', 'mailbox'],
    ['Alice <alice@mail.test>', 'mailbox'],
    ['"Liddell, Alice" <alice@mail.test>', 'mailbox'],
    ['John Q. Public <jqp@mail.test>', 'mailbox'],
    ['alice@mail.test (Alice (the (nested) one))', 'mailbox'],
    ['"alice smith"@mail.test', 'mailbox'],
    ['a.b+tag@sub.mail.test', 'mailbox'],
    ['=?utf-8?q?Al=C3=ADce?= <alice@mail.test>', 'mailbox'],
    ['Ålice <ålice@bücher.test>', 'mailbox'],
    ['alice@[192.0.2.1]', 'mailbox'],
    ['alice@mail.test, bob@mail.test', 'mailbox-list'],
    ['undisclosed-recipients:;', 'address-list'],
    ['Team: a@mail.test, b@mail.test;, c@mail.test', 'address-list'],
    ['', 'address-list'],
  ] as const)('%s is a valid %s', (value, kind) => {
    expect(checkAddressSyntax(value, kind).problem).toBeNull();
  });

  it.each([
    ['Alice <alice@mail.test', 'mailbox', "never closed with '>'"],
    ['alice', 'mailbox', 'no'],
    ['alice@', 'mailbox', 'no domain'],
    ['@mail.test', 'mailbox', 'nothing before'],
    ['alice@@mail.test', 'mailbox', 'no domain'],
    ['alice..x@mail.test', 'mailbox', "misplaced '.'"],
    ['.alice@mail.test', 'mailbox', "misplaced '.'"],
    ['alice smith@mail.test', 'mailbox', 'not one dot-separated word'],
    ['alice@mail.test.', 'mailbox', "ending in '.'"],
    ['alice@-bad-.test', 'mailbox', 'not a host name'],
    ['alice@mail_x.test', 'mailbox', 'not a host name'],
    ['"Alice <alice@mail.test>', 'mailbox', 'quoted string that is never closed'],
    ['Alice (comment <alice@mail.test>', 'mailbox', 'never closed'],
    ['alice@mail.test bob@mail.test', 'mailbox-list', "where a ','"],
    ['alice@mail.test,', 'mailbox-list', "ends with a ','"],
    ['alice@mail.test,,bob@mail.test', 'mailbox-list', 'empty element'],
    ['Team: a@mail.test;', 'mailbox-list', 'group where only mailboxes'],
    ['a@mail.test, b@mail.test', 'mailbox', '2 mailboxes'],
    ['<>', 'mailbox', 'empty address'],
    ['<@relay.test:alice@mail.test>', 'mailbox', 'source route'],
    ['alice\\@mail.test', 'mailbox', 'not allowed'],
    ['Alice \x07 <alice@mail.test>', 'mailbox', 'control character'],
    ['', 'mailbox-list', 'is empty'],
    [`${'a'.repeat(65)}@mail.test`, 'mailbox', 'longer than 64'],
  ] as const)('%s is not a valid %s', (value, kind, why) => {
    expect(checkAddressSyntax(value, kind).problem).toContain(why);
  });

  it('quotes at most 60 characters of what the sender wrote', () => {
    const words = checkAddressSyntax('a'.repeat(500_000), 'mailbox-list').problem!;
    expect(words).toBe(`has '${'a'.repeat(60)}…' where an address belongs (no '@')`);
    const host = checkAddressSyntax(`alice@${'b_'.repeat(100_000)}x`, 'mailbox').problem!;
    expect(host).toBe(`has '${'b_'.repeat(30)}…', which is not a host name (RFC 5321 §4.1.2)`);
  });

  it('counts mailboxes, group members included', () => {
    expect(checkAddressSyntax('a@mail.test, "B" <b@mail.test>', 'mailbox-list').mailboxes).toBe(2);
    expect(checkAddressSyntax('T: a@x.test, b@x.test;, c@x.test', 'address-list').mailboxes).toBe(3);
  });
});

describe('formatProblems', () => {
  it('a well-formed message has none; CRLF or (a Unix file) LF alike', () => {
    expect(problems(msg(HEAD))).toEqual([]);
    expect(problems(msg(HEAD, 'Hi.\n', '\n'))).toEqual([]);
  });

  it('From:, Date:, Message-ID: missing', () => {
    expect(ids(msg(replace('From', null)))).toEqual(['format.from.missing']);
    expect(ids(msg(replace('Date', null)))).toEqual(['format.date.missing']);
    expect(ids(msg(replace('Message-ID', null)))).toEqual(['format.message-id.missing']);
  });

  it('a singleton field twice (RFC 5322 §3.6), once per field name', () => {
    const twice = [...HEAD, 'From: Eve <eve@mail.test>', 'Subject: again', 'Subject: and again'];
    const p = problems(msg(twice));
    expect(p.map((x) => x.id)).toEqual(['format.field.duplicate', 'format.field.duplicate']);
    expect(p[0]!.message).toBe('From: appears 2 times, at most once is allowed (RFC 5322 §3.6)');
    expect(p[1]!.message).toContain('Subject: appears 3 times');
    // Received: and other trace or optional fields may repeat.
    expect(ids(msg(['Received: from a', 'Received: from b', 'X-Tag: 1', 'X-Tag: 2', ...HEAD]))).toEqual([]);
  });

  it('Date: and Message-ID: syntax', () => {
    expect(ids(msg(replace('Date', 'Date: yesterday')))).toEqual(['format.date.syntax']);
    expect(ids(msg(replace('Date', 'Date: 2025-11-29T10:00:00Z')))).toEqual(['format.date.syntax']);
    expect(ids(msg(replace('Date', 'Date: Sat, 29 Nov 2025 25:00:00 +0000')))).toEqual(['format.date.syntax']);
    // Obsolete forms receivers accept (§4.3): no weekday, no seconds, a named zone, a comment.
    expect(ids(msg(replace('Date', 'Date: 29 Nov 25 10:00 GMT (a comment)')))).toEqual([]);
    // Comments elsewhere (CFWS), and a comment that does not save a bad date.
    expect(ids(msg(replace('Date', 'Date: Sat, 29 Nov (c) 2025 10:00:00 +0000 (UTC) (x)')))).toEqual([]);
    expect(ids(msg(replace('Date', 'Date: Sat, 29 Nov 2025 25:00:00 +0000 (UTC)')))).toEqual(['format.date.syntax']);
    expect(ids(msg(replace('Date', 'Date: Sat, 29 Nov 2025 10:00:00 (UTC)')))).toEqual(['format.date.syntax']);
    expect(ids(msg(replace('Message-ID', 'Message-ID: hello@mail.test')))).toEqual(['format.message-id.syntax']);
    expect(ids(msg(replace('Message-ID', 'Message-ID: <no-at-sign>')))).toEqual(['format.message-id.syntax']);
  });

  it('address syntax in From:, To:, Cc:, Reply-To:, Sender:', () => {
    const p = problems(msg([...replace('To', 'To: bob@'), 'Cc: Carol <carol@mail.test', 'Reply-To: ok@mail.test']));
    expect(p.map((x) => x.message)).toEqual([
      "To: has an address with no domain after '@' (RFC 5322 §3.4)",
      "Cc: has a '<' that is never closed with '>' (RFC 5322 §3.4)",
    ]);
    expect(ids(msg(replace('From', 'From: Alice alice@mail.test')))).toEqual(['format.address.syntax']);
  });

  it('several authors need a Sender: (RFC 5322 §3.6.2)', () => {
    const two = replace('From', 'From: a@mail.test, b@mail.test');
    expect(ids(msg(two))).toEqual(['format.sender.missing']);
    expect(ids(msg([...two, 'Sender: a@mail.test']))).toEqual([]);
  });

  it('bare CR and bare LF among CRLF lines (RFC 5322 §2.3), counted', () => {
    const bareLf = Buffer.from(`${HEAD.join('\r\n')}\r\n\r\nline one\nline two\nline three\r\n`);
    expect(problems(bareLf)).toEqual([
      {
        id: 'format.line-ending.bare-lf',
        message: '2 lines end in a bare LF among CRLF lines (RFC 5322 §2.3)',
      },
    ]);
    const bareCr = Buffer.from(`${HEAD.join('\r\n')}\r\n\r\nline\rone\r\nend\r`);
    expect(problems(bareCr)).toEqual([
      { id: 'format.line-ending.bare-cr', message: '2 bare CRs (a CR not followed by LF: RFC 5322 §2.3)' },
    ]);
    // A Unix file (every line ends in LF) with a bare CR still has the bare CR.
    expect(ids(Buffer.from(`${HEAD.join('\n')}\n\nline\rone\n`))).toEqual(['format.line-ending.bare-cr']);
  });

  it('lines over 998 octets, in the header or the body (RFC 5322 §2.1.1)', () => {
    const long = 'x'.repeat(999);
    expect(problems(msg([...HEAD, `X-Long: ${long}`]))).toEqual([
      {
        id: 'format.line-length',
        message: '1 line longer than 998 octets; the first is header line 6 (1007 octets; RFC 5322 §2.1.1)',
      },
    ]);
    expect(problems(msg(HEAD, `ok\r\n${long}\r\n${long}`))[0]!.message).toBe(
      '2 lines longer than 998 octets; the first is body line 8 (999 octets; RFC 5322 §2.1.1)',
    );
    // In a Unix file too (LF line ends), and as the last line without a line end.
    expect(ids(Buffer.from(`${HEAD.join('\n')}\n\n${long}\n`))).toEqual(['format.line-length']);
    expect(ids(msg(HEAD, long))).toEqual(['format.line-length']);
    // 998 exactly is allowed, CRLF not counted; folded header lines count one by one.

    expect(ids(msg([...HEAD, `X-Ok: ${'y'.repeat(990)}`, ` ${'z'.repeat(997)}`], `${'x'.repeat(998)}\r\n`))).toEqual(
      [],
    );
  });

  it('stays linear on a large message with no line ends at all, and with millions of them', () => {
    const start = performance.now();
    const noLf = Buffer.concat([msg(HEAD, ''), Buffer.alloc(4_000_000, 'x')]);
    expect(ids(noLf)).toEqual(['format.line-length']);
    const unix = Buffer.concat([Buffer.from(`${HEAD.join('\n')}\n\n`), Buffer.alloc(4_000_000, '\n')]);
    expect(ids(unix)).toEqual([]);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
