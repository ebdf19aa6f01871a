import { readFileSync } from 'node:fs';
import { getBorderCharacters, table } from 'table';
import { finding } from '../../../src/core/result.js';
import { describe, expect, it } from 'vitest';
import { renderVerify } from '../../../src/report/text/verify.js';
import { columns, progressBar, renderVerifyLine, renderVerifySummary } from '../../../src/report/text/verify-line.js';
import { createTheme, plainTheme } from '../../../src/report/theme.js';
import { VerifyTally } from '../../../src/cli/verify-tally.js';
import { unverifiable } from '../../../src/verify/run.js';
import type { VerifiedFile, VerifyItem } from '../../../src/verify/types.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { fixtureResolver } from '../../helpers/zones.js';

function tallied(items: VerifyItem[]): VerifyTally {
  const t = new VerifyTally();
  for (const i of items) t.add(i);
  return t;
}

// Whole-line assertions render wide; the width test checks the wrapping at 80.
const wide = createTheme(false, 200);

const ctx = { resolver: fixtureResolver(['mail.test.zone', 'mailer.test.zone']), now: () => new Date() };
async function item(name: string, bytes?: Buffer, o: { ip?: string; helo?: string } = {}): Promise<VerifiedFile> {
  const raw = bytes ?? readFileSync(new URL(`../../../fixtures/eml/${name}`, import.meta.url));
  return {
    kind: 'verify',
    file: name,
    size: raw.length,
    ...(await verifyMessage(raw, { authservId: 'mx.test', ...o }, ctx)),
  };
}

describe('renderVerify', () => {
  it('tells each mechanism in turn: DKIM table, SPF, DMARC with alignment and disposition, ARC, the header, the verdict', async () => {
    const text = renderVerify(await item('third-party.eml'), plainTheme);
    expect(text).toContain('Message third-party.eml');
    expect(text).toMatch(/DKIM {2}every signature \(RFC 6376\)\n {2}result +d= +s= +a= +with From:/);
    expect(text).toMatch(/✓ pass +mailer\.test +s1 +ed25519-sha256 256-bit +not aligned/);
    expect(text).toContain('· not checked: give --ip');
    expect(text).toMatch(/✗ fail {2}mail\.test {2}policy reject {2}record at _dmarc\.mail\.test/);
    expect(text).toContain('alignment: DKIM ✗ (relaxed)   SPF – (relaxed)');
    expect(text).toContain('a receiver applying the policy would reject this message');
    expect(text).toContain('· none  no ARC sets');
    expect(text).toMatch(
      /Authentication-Results a receiver would add\n {2}Authentication-Results: mx\.test;\n {6}dkim=pass header\.d=mailer\.test/,
    );
    expect(text.trimEnd().split('\n').pop()).toBe('✗ 1 failed check');
  });

  it('with --ip: the SPF identity, the record and the result', async () => {
    const text = renderVerify(await item('signed-rsa.eml', undefined, { ip: '127.0.0.1', helo: 'mx.mail.test' }), wide);
    expect(text).toMatch(
      /SPF .*\n {2}✓ pass {2}127\.0\.0\.1 for postmaster@mx\.mail\.test \(HELO identity, policy of mx\.mail\.test\)\n {5}v=spf1 a -all\n/,
    );
    const none = renderVerify(await item('signed-rsa.eml', undefined, { ip: '127.0.0.1' }), wide);
    expect(none).toContain('· none  127.0.0.1 with no identity to check: give --sender or --helo');
  });

  it('escapes control characters from the message (no terminal escapes get through)', async () => {
    const evil = Buffer.from(
      'From: "\x1b[31mred\x1b[0m" <a@mailer.test>\r\nSubject: \x1b]0;title\x07 hi\r\n\r\nbody\r\n',
      'latin1',
    );
    const text = renderVerify(await item('evil.eml', evil), createTheme(true));
    expect(text).not.toMatch(/\x1b\]0;/);
    expect(text).toContain('\\x1b]0;title\\x07 hi');
  });

  it('one line per message, errors included, and a summary table with the rate', async () => {
    const ok = await item('signed-rsa.eml');
    const bad = unverifiable({ file: 'junk.txt' }, 'not a message: the file is empty');
    expect(renderVerifyLine(ok, plainTheme)).toBe(
      '✓ signed-rsa.eml  alice@mail.test  dmarc=pass dkim=pass(mail.test)  req=pass\n',
    );
    expect(renderVerifyLine(bad, plainTheme)).toBe('✗ junk.txt  not a message: the file is empty\n');
    const summary = renderVerifySummary(tallied([ok, bad]).summary(0.5), plainTheme);
    expect(summary).toContain('2 messages verified in 0.50 s (4 msgs/s)');
    expect(summary).toMatch(/✓ pass +1/);
    expect(summary).toMatch(/✗ not a message +1/);
    expect(summary).toContain('✗ 1 of 2 not authenticated');
    // A message whose verdict a DNS timeout prevented (a temporary finding, severity warn) is not authenticated.
    const unknown = { ...ok, findings: [finding('verify.dmarc.temperror', 'fail', 'x', { temporary: true })] };
    expect(renderVerifySummary(tallied([ok, unknown]).summary(0.5), plainTheme)).toContain(
      '✗ 1 of 2 not authenticated',
    );
  });

  it("lays out the summary's columns as the table package does with void borders (coloured cells too)", () => {
    const colour = createTheme(true, 200);
    const words = ['✓ pass', '✗ fail', '· none', '! temperror', '✗ not a message', 'DMARC', 'messages', '7', '1234567'];
    let seed = 7;
    const pick = () => {
      seed = (seed * 48271) % 2147483647;
      const w = words[seed % words.length]!;
      const style = [colour.fail, colour.dim, (x: string) => x][seed % 3]!;
      return style(w);
    };
    for (let n = 1; n < 40; n++) {
      const rows = Array.from({ length: 1 + (n % 6) }, () => [pick(), pick()]);
      const config = {
        border: getBorderCharacters('void'),
        columnDefault: { paddingLeft: 0, paddingRight: 2 },
        drawHorizontalLine: () => false,
      };
      expect(columns(rows)).toBe(table(rows, config));
    }
  });

  it('draws a progress bar', () => {
    expect(progressBar(500, 2000, 0.25, 20)).toBe('[#####---------------]  25%  500/2000  2,000 msgs/s');
  });
});

describe('at 80 columns', () => {
  it('no line of a report, a folder line or an error is wider than the terminal', async () => {
    for (const name of ['third-party.eml', 'tampered.eml', 'signed-rsa.eml']) {
      for (const t of [plainTheme, createTheme(true)]) {
        const text =
          renderVerify(await item(name, undefined, { ip: '192.0.2.77' }), t) + renderVerifyLine(await item(name), t);
        for (const line of text.split('\n'))
          expect(line.replace(/\x1b\[[0-9;]*m/g, '').length, line).toBeLessThanOrEqual(80);
      }
    }
    const err = renderVerifyLine(
      unverifiable(
        { file: `/very/long/path/${'x'.repeat(60)}.eml` },
        'not a message: the first line of the header section is not a header field',
      ),
      plainTheme,
    );
    for (const line of err.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});
