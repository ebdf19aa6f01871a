// The one parser of number-valued options: range, wording of the usage error, and what is not a number.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseInteger, parseMilliseconds, parsePortNumber } from '../../../src/cli/options.js';

describe('parseInteger', () => {
  it('takes whole numbers in range, spaces around them allowed', () => {
    expect(parseInteger('1', '--jobs', 1, 256)).toBe(1);
    expect(parseInteger(' 256 ', '--jobs', 1, 256)).toBe(256);
    expect(parseInteger('007', '--jobs', 1, 256)).toBe(7);
  });

  it.each(['0', '257', '', ' ', '-1', '+5', '1.5', '1e2', '0x10', '12abc', '99999999999999999999999'])(
    'refuses %j with one usage line naming the flag and the range',
    (v) => {
      const f = () => parseInteger(v, '--jobs', 1, 256);
      expect(f).toThrow(UsageError);
      expect(f).toThrow(`--jobs '${v}' is not a whole number from 1 to 256`);
    },
  );

  it('says what is expected in the option’s own terms when given', () => {
    expect(() => parseInteger('512', '--bits', 1024, 4096, 'a key size from 1024 to 4096')).toThrow(
      "--bits '512' is not a key size from 1024 to 4096",
    );
  });
});

describe('parseMilliseconds and parsePortNumber', () => {
  it('word their errors as --timeout and the port options always have', () => {
    expect(parseMilliseconds('600000', '--timeout')).toBe(600000);
    expect(() => parseMilliseconds('0', '--timeout')).toThrow(
      "--timeout '0' is not a number of milliseconds between 1 and 600000",
    );
    expect(parsePortNumber('25', '--port')).toBe(25);
    expect(() => parsePortNumber('0', '--port')).toThrow("--port '0' is not a port number (1-65535)");
    expect(parsePortNumber('0', '--dns-port', 0)).toBe(0);
    expect(() => parsePortNumber('65536', '--dns-port', 0)).toThrow(
      "--dns-port '65536' is not a port number (0-65535)",
    );
  });
});
