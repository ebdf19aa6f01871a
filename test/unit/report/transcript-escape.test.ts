// An SMTP transcript's heading names the MX host as DNS gave it: escaped like the lines under it.
import { describe, expect, it } from 'vitest';
import { renderTranscript } from '../../../src/report/text/probe.js';
import { plainTheme } from '../../../src/report/theme.js';

describe('renderTranscript', () => {
  it('escapes the exchange name (ESC, C1, bidi) in its heading', () => {
    const lines = renderTranscript(
      {
        exchange: 'ev\x1b[2jil\x9bx.a\u202eb.hostile.test',
        address: '192.0.2.2',
        port: 25,
        transcript: [{ dir: 'S', line: '220 hi\x1b]0;x\x07' }],
      } as Parameters<typeof renderTranscript>[0],
      plainTheme,
    );
    expect(lines[0]).toBe('Transcript ev\\x1b[2jil\\x9bx.a\\u202eb.hostile.test [192.0.2.2]:25');
    expect(lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
  });
});
