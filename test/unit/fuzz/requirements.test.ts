// Property tests for the text the bulk-sender verdict reads from strangers: address lists (RFC 5322 §3.4), whole
// header sections, List-Unsubscribe values, and Received: fields. A problem is a value; nothing throws or hangs,
// and a generated valid address list is always judged valid.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageFormatError, parseMessage, toCrlf, type ParsedMessage } from '../../../src/verify/message.js';
import { parseOwnReceived } from '../../../src/verify/received-trace.js';
import { checkAddressSyntax, parseAddressSyntax } from '../../../src/verify/requirements/address-syntax.js';
import { formatProblems, lineProblems, linesLookFine, MAX_LINE } from '../../../src/verify/requirements/format.js';
import type { FormatProblem } from '../../../src/verify/requirements/types.js';
import { judgeOneClick, listUnsubscribeUris } from '../../../src/verify/requirements/unsubscribe.js';
import { FUZZ_TIMEOUT, fuzz } from './settings.js';

const atom = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]{1,12}$/);
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'));
const local = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
const addrSpec = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
const phrase = fc.oneof(
  fc.array(atom, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
  // Quoted-string text: printable ASCII but quote and backslash (RFC 5322 §3.2.4 qtext).
  fc.stringMatching(/^[ !#-[\]-~]{0,20}$/).map((s) => `"${s}"`),
);
const mailbox = fc.oneof(
  addrSpec,
  fc.tuple(phrase, addrSpec).map(([p, a]) => `${p} <${a}>`),
);
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(fc.constantFrom('<', '>', '@', ',', ';', ':', '.', '"', '\\', '(', ')', '[', ']', ' ', 'a'), {
      maxLength: 300,
    })
    .map((a) => a.join('')),
);

describe('bulk-sender verdict inputs (fuzz)', () => {
  it(
    'generated mailbox lists are valid, and counted right',
    () => {
      fc.assert(
        fc.property(fc.array(mailbox, { minLength: 1, maxLength: 5 }), (boxes) => {
          const c = checkAddressSyntax(boxes.join(', '), 'mailbox-list');
          expect(c.problem).toBeNull();
          expect(c.mailboxes).toBe(boxes.length);
        }),
        fuzz(300),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'the shortcut for a single plain mailbox accepts nothing the full parser would refuse',
    () => {
      const near = fc
        .array(fc.constantFrom('a', 'B', '0', '-', '.', ' ', '\t', '<', '>', '@', '_', '"', '(', ')', ',', 'é'), {
          maxLength: 40,
        })
        .map((a) => a.join(''));
      const bits = fc
        .array(fc.constantFrom('a', '.', ' ', '"', '(', ')', ',', ':', ';', '\\', '[', 'é', '\x01'), { maxLength: 4 })
        .map((a) => a.join(''));
      // Near-misses of the shortcut's form: stray characters around and inside "name <local@host>".
      const around = fc
        .tuple(bits, fc.boolean(), local, bits, domain, bits)
        .map(([a, angle, l, mid, d, b]) => (angle ? `${a}<${l}${mid}@${d}>${b}` : `${a}${l}${mid}@${d}${b}`));
      fc.assert(
        fc.property(fc.oneof(near, mailbox, around), (s) => {
          for (const kind of ['mailbox', 'mailbox-list', 'address-list'] as const)
            expect(checkAddressSyntax(s, kind)).toEqual(parseAddressSyntax(s, kind));
        }),
        fuzz(3000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'any text as an address list, a List-Unsubscribe value or a Received: value: a value, never a throw',
    () => {
      fc.assert(
        fc.property(hostile, (s) => {
          for (const kind of ['mailbox', 'mailbox-list', 'address-list'] as const) {
            const c = checkAddressSyntax(s, kind);
            expect(c.problem === null || typeof c.problem === 'string').toBe(true);
          }
          expect(Array.isArray(listUnsubscribeUris(s))).toBe(true);
          parseOwnReceived(s, 'mx.test');
          parseOwnReceived(`from ${s} by mx.test (mailcheck) with ESMTP id X; Sat`, 'mx.test');
        }),
        fuzz(1000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'any header section: format problems and the one-click judgement are values',
    () => {
      const field = fc.tuple(
        fc.constantFrom(
          'From',
          'To',
          'Cc',
          'Date',
          'Message-ID',
          'Sender',
          'List-Unsubscribe',
          'List-Unsubscribe-Post',
          'X-A',
        ),
        fc.string({ unit: 'binary', maxLength: 120 }).map((v) => v.replace(/[\r\n]/g, ' ')),
      );
      fc.assert(
        fc.property(
          fc.array(field, { minLength: 1, maxLength: 12 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          (fields, body) => {
            const raw = Buffer.from(`${fields.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`, 'utf8');
            let msg: ParsedMessage;
            try {
              msg = parseMessage(raw);
            } catch (e) {
              // Not a message at all (NUL bytes): verify reports the file as bad input before any rule runs.
              expect(e).toBeInstanceOf(MessageFormatError);
              return;
            }
            for (const p of formatProblems(msg, raw)) expect(p.id).toMatch(/^format\./);
            expect(typeof judgeOneClick(msg, []).reason).toBe('string');
          },
        ),
        fuzz(500),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'the fast line check never passes what the per-line walk finds wrong',
    () => {
      // Lengths around the 998-octet limit, where an off-by-one would hide.
      const length = fc.oneof(fc.constantFrom(0, 997, 998, 999, 1000), fc.integer({ min: 0, max: 1003 }));
      const line = fc.tuple(length, fc.constantFrom('\r\n', '\n', '\r', '', 'x\ry\r\n'));
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
          const raw = Buffer.from(lines.map(([n, end]) => `${'a'.repeat(n)}${end}`).join(''), 'latin1');
          const found: FormatProblem[] = [];
          lineProblems(raw, found);
          if (linesLookFine(raw)) expect(found).toEqual([]);
          // And the other way: a message with nothing wrong goes the fast way unless a line is near the limit.
          const longest = Math.max(
            ...raw
              .toString('latin1')
              .split('\n')
              .map((l) => l.length),
          );
          if (!found.length && longest <= MAX_LINE) expect(linesLookFine(raw)).toBe(true);
        }),
        fuzz(2000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'the parse judges line ends as the format rule would, and converts them as toCrlf does',
    () => {
      const length = fc.oneof(fc.constantFrom(0, 997, 998, 999), fc.integer({ min: 0, max: 1002 }));
      const line = fc.tuple(length, fc.constantFrom('\r\n', '\n', '\r', '', 'x\ry\r\n'));
      fc.assert(
        fc.property(fc.constantFrom('\r\n', '\n'), fc.array(line, { maxLength: 6 }), (end, lines) => {
          const body = lines.map(([n, e]) => `${'a'.repeat(n)}${e}`).join('');
          const raw = Buffer.from(`From: <a@b.test>${end}Date: x${end}${end}${body}`, 'latin1');
          const msg = parseMessage(raw);
          expect(msg.lineCheck?.of).toBe(raw);
          expect(msg.lineCheck?.fine).toBe(linesLookFine(raw));
          expect(msg.bytes.equals(toCrlf(raw))).toBe(true);
          // The same problems whether the rule reads the parse's check or scans the bytes itself.
          const unchecked: ParsedMessage = {
            headers: msg.headers,
            body: msg.body,
            bytes: msg.bytes,
            bareCr: msg.bareCr,
          };
          expect(formatProblems(msg, raw)).toEqual(formatProblems(unchecked, raw));
        }),
        fuzz(2000),
      );
    },
    FUZZ_TIMEOUT,
  );

  it('stays fast on pathological nesting and long runs of specials', () => {
    const start = performance.now();
    for (const s of [
      '('.repeat(50_000),
      '"'.repeat(50_000),
      `${'a.'.repeat(50_000)}@x.test`,
      `${'<'.repeat(50_000)}a@b.test`,
      `${'x, '.repeat(30_000)}`,
    ])
      checkAddressSyntax(s, 'address-list');
    parseOwnReceived(`from ${'a'.repeat(100_000)} (${'['.repeat(50_000)}`, 'mx.test');
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
