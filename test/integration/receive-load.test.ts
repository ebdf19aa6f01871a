// Load through Postfix's smtp-source (Debian): bounded, loopback, one message per connection and connections
// reused. Proves nothing is lost: every message smtp-source sent is a whole file in new/ and a reported event.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/verify/message.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';

const exec = promisify(execFile);
const SOURCE = ['/usr/sbin/smtp-source', '/usr/bin/smtp-source'].find((p) => {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
});
const suite = !SOURCE && !process.env.CI ? describe.skip : describe;

suite('receive under load (smtp-source)', () => {
  let r: TestReceiver | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  for (const reuse of [false, true]) {
    it(`${reuse ? 'connections reused' : 'one message per connection'}: 1,000 messages from 20 sessions, all stored whole`, async () => {
      if (!SOURCE) throw new Error('smtp-source not installed (Debian: apt-get install postfix)');
      r = await startTestReceiver({ maxConnections: 200 });
      const n = 1000;
      await exec(SOURCE, [
        '-s',
        '20',
        '-m',
        String(n),
        '-l',
        '2000',
        '-f',
        'alice@mail.test',
        '-t',
        'bob@example.net',
        '-M',
        'client.mail.test',
        ...(reuse ? ['-d'] : []),
        `127.0.0.1:${r.port}`,
      ]);
      // smtp-source exits once every 250 came back: by then every message must already be in new/.
      const files = await r.files();
      expect(files.new).toHaveLength(n);
      expect(files.tmp).toEqual([]);
      await r.waitFor(n);
      expect(new Set(r.messages.map((m) => m.id)).size).toBe(n);
      for (const name of files.new.filter((_, i) => i % 50 === 0)) {
        const m = parseMessage(await r.read(name));
        expect(m.headers.slice(0, 3).map((h) => h.key)).toEqual(['return-path', 'authentication-results', 'received']);
        expect(m.body.length).toBeGreaterThanOrEqual(2000);
      }
      expect(r.messages.every((m) => m.auth.spf.result === 'pass')).toBe(true);
    }, 120_000);
  }
});
