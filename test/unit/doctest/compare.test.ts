// The doc-test comparison: elisions, volatile values, stable names mapped back, and the text a rewrite writes.
import { describe, expect, it } from 'vitest';
import {
  compareOutput,
  lineMatcher,
  normalizeVolatile,
  outputLines,
  RUN_DIR_SHOWN,
} from '../../helpers/doctest/compare.js';

describe('lineMatcher', () => {
  it('matches a line exactly, trailing spaces aside', () => {
    const m = lineMatcher('MX chain for example.test  ! passed with 1 warning  ');
    expect(m('MX chain for example.test  ! passed with 1 warning')).toBe(true);
    expect(m('MX chain for example.test  ! passed with 2 warnings')).toBe(false);
    expect(m('MX chain for example.test ! passed with 1 warning')).toBe(false);
  });

  it('takes … inside a line for any text, and the spaces of that line for any number (table padding)', () => {
    const m = lineMatcher('  │ ✓ delivered │ 250 OK: queued as …              │');
    expect(m('  │ ✓ delivered │ 250 OK: queued as 9B0715000001   │')).toBe(true);
    expect(m('  │ ✗ refused   │ 550 no                           │')).toBe(false);
    const cell = lineMatcher('  │             │ (queue id …)                     │');
    expect(cell('  │             │ (queue id 7197DA000001)          │')).toBe(true);
    expect(lineMatcher('Message <…@mail.test>')('Message <mx8p.x9@mail.test>')).toBe(true);
    expect(lineMatcher('Message <…@mail.test>')('Message <mx8p.x9@mail.example>')).toBe(false);
  });

  it('lets durations, rates and clock times differ, and a measured time in parentheses be there or not', () => {
    expect(
      lineMatcher('Mail posture of example.test  ✓ passed  (14 ms)')('Mail posture of example.test  ✓ passed  (1.2 s)'),
    ).toBe(true);
    expect(lineMatcher('  12 ✓ DNS   TXT sandbox.test (6.4 ms)')('  12 ✓ DNS   TXT sandbox.test')).toBe(true);
    expect(lineMatcher('1 message verified in 0.02 s (55 msgs/s)')('1 message verified in 0.3 s (3 msgs/s)')).toBe(
      true,
    );
    expect(lineMatcher('✓ 07:56:24 #1 a → b')('✓ 23:01:09 #1 a → b')).toBe(true);
    // What is not volatile stays exact: counts, versions, sizes.
    expect(lineMatcher('Not shown: 9 notes')('Not shown: 8 notes')).toBe(false);
    expect(lineMatcher('TLSv1.3 with 2 ciphers')('TLSv1.2 with 2 ciphers')).toBe(false);
    expect(normalizeVolatile('5 sources in 12 ms, 2,400 msgs/s')).toBe('5 sources in <duration>, <rate>');
  });
});

describe('compareOutput', () => {
  it('passes when every line matches, an elision line standing for any number of lines (none too)', () => {
    expect(compareOutput(['a', '…', 'z'], ['a', 'b', 'c', 'z'])).toEqual({ ok: true, shown: ['a', '…', 'z'] });
    expect(compareOutput(['a', '  …', 'z'], ['a', 'z']).ok).toBe(true);
    expect(compareOutput(['…'], []).ok).toBe(true);
    expect(compareOutput(['a', ''], ['a', '', '']).ok).toBe(true);
  });

  it('fails on a changed, missing or extra line, and shows the real line in place of the changed one', () => {
    expect(compareOutput(['a', 'b', 'c'], ['a', 'B!', 'c'])).toEqual({ ok: false, shown: ['a', 'B!', 'c'] });
    expect(compareOutput(['a', 'b', 'c'], ['a', 'c'])).toEqual({ ok: false, shown: ['a', 'c'] });
    expect(compareOutput(['a', 'c'], ['a', 'b', 'c'])).toEqual({ ok: false, shown: ['a', 'b', 'c'] });
    expect(compareOutput([], ['x']).ok).toBe(false);
  });

  it('keeps the document text where it still matches: its example timings and elisions survive a rewrite', () => {
    const expected = ['Report (14 ms)', '…', 'step 31 ✓ SPF fail', '  HELO fail', 'end'];
    const actual = ['Report (28 ms)', 'x', 'y', 'step 39 ✓ SPF fail', '  HELO fail', '  why: all', 'end'];
    // The renumbered step takes its old line's place (not swallowed by the elision), the new line appears
    // where it is, the matching lines keep the document's words.
    expect(compareOutput(expected, actual)).toEqual({
      ok: false,
      shown: ['Report (14 ms)', '…', 'step 39 ✓ SPF fail', '  HELO fail', '  why: all', 'end'],
    });
  });
});

describe('outputLines', () => {
  it('shows the run directory and the free ports as the document does, and trims line ends and last blank lines', () => {
    const out = outputLines(
      'listening on 127.0.0.1:41234\r\nstoring in /tmp/mc-doc-x/mailcheck/inbox   \nport 412345\n\n\n',
      {
        runDir: '/tmp/mc-doc-x/mailcheck',
        ports: new Map([[41234, 2525]]),
      },
    );
    expect(out).toEqual(['listening on 127.0.0.1:2525', `storing in ${RUN_DIR_SHOWN}/inbox`, 'port 412345']);
  });
});
