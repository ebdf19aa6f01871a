// What a verify helper sends: each requirement without its rule's scope and source, put back in the main process —
// the same result, key for key, as the process that verified it had, in fewer bytes.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../../src/verify/pool.js';
import type { VerifyItem } from '../../../src/verify/types.js';
import { verifyMessage } from '../../../src/verify/verdict.js';
import { ctx, message, ONE_CLICK, signed, SIGNED_FIELDS } from './requirements/world.js';

const overIpc = (item: VerifyItem) => fromWire(v8.deserialize(v8.serialize(toWire(item))));

describe('verify results between processes', () => {
  it('come back the same, key order included (advisory, temporary and format problems too)', async () => {
    const raws = [
      await signed(message({ extra: ONE_CLICK }), [...SIGNED_FIELDS, 'list-unsubscribe', 'list-unsubscribe-post']),
      Buffer.from(
        message({})
          .replace(/^Date: .*\r\n/m, '')
          .replace('From: ', 'From: a@@b, '),
      ),
    ];
    for (const raw of raws)
      for (const bulk of [false, true]) {
        const v = await verifyMessage(raw, { authservId: 'mx.test', ip: '192.0.2.10', helo: 'x', bulk }, ctx);
        const item: VerifyItem = { kind: 'verify', file: 'm.eml', size: raw.length, ...v };
        const back = overIpc(item);
        expect(JSON.stringify(back)).toBe(JSON.stringify(item));
        expect(back).toStrictEqual(item);
        expect(v8.serialize(toWire(item)).length).toBeLessThan(v8.serialize(item).length * 0.85);
      }
  });

  it('leave files that could not be verified as they are', () => {
    const item: VerifyItem = { kind: 'verify', file: 'x', error: 'cannot read', findings: [] };
    expect(overIpc(item)).toStrictEqual(item);
  });
});
