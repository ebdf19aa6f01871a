import { describe, expect, it } from 'vitest';
import { checkMx } from '../../../src/mx/check.js';
import { renderMx } from '../../../src/report/text/mx.js';
import { createTheme, plainTheme } from '../../../src/report/theme.js';
import type { MxResult } from '../../../src/mx/types.js';
import { fixtureResolver } from '../../helpers/zones.js';

const resolver = fixtureResolver(['example.test.zone', '2.0.192.in-addr.arpa.zone', '8.b.d.0.1.0.0.2.ip6.arpa.zone']);

describe('renderMx', () => {
  it('draws the chain: question, exchanges, addresses with PTR and FCrDNS, findings, verdict', async () => {
    const text = renderMx(await checkMx('example.test', { resolver }), plainTheme);
    expect(text).toMatchInlineSnapshot(`
      "MX chain for example.test
        ? MX example.test  (which hosts accept mail for this domain?)
        ├─  10 mx1.example.test
        │     ? A/AAAA mx1.example.test
        │     ├─ A    192.0.2.10   ← PTR mx1.example.test  ✓ FCrDNS
        │     └─ AAAA 2001:db8::10 ← PTR mx1.example.test  ✓ FCrDNS
        └─  20 mx2.example.test
              ? A/AAAA mx2.example.test
              └─ A    192.0.2.20 ← PTR wrong.example.net  ! PTR does not point back

      Findings
        ! 192.0.2.20 (mx2.example.test) points back to wrong.example.net, which does
          not resolve to 192.0.2.20 (no forward-confirmed reverse DNS).
          [mx.address.no-fcrdns]
        i mx1.example.test resolves to 192.0.2.10, in a reserved or documentation
          range. [mx.address.reserved-range]
        i mx1.example.test resolves to 2001:db8::10, in a reserved or documentation
          range. [mx.address.reserved-range]
        i mx2.example.test resolves to 192.0.2.20, in a reserved or documentation
          range. [mx.address.reserved-range]

      ! passed with 1 warning
      "
    `);
  });

  it('escapes control characters from DNS data before they reach a terminal', () => {
    const evil: MxResult = {
      kind: 'mx',
      domain: 'evil.test',
      nullMx: false,
      implicit: false,
      lookup: 'ok',
      steps: [],
      findings: [],
      mx: [
        {
          preference: 10,
          exchange: 'mx.evil.test',
          cnames: [],
          status: 'ok',
          addresses: [{ address: '198.51.100.1', family: 4, ptr: ['x\x1b[31m.test'], fcrdns: false }],
        },
      ],
    };
    const text = renderMx(evil, createTheme(true));
    expect(text).not.toContain('x\x1b[31m');
    expect(text).toContain('x\\x1b[31m.test');
  });

  it('keeps every mark readable without colour, and colours with it', async () => {
    const r = await checkMx('broken.example.test', { resolver });
    expect(renderMx(r, plainTheme)).not.toMatch(/\x1b\[/);
    expect(renderMx(r, createTheme(true))).toMatch(/\x1b\[31m/);
    expect(renderMx(r, plainTheme)).toContain('✗ 3 failed checks');
  });
});
