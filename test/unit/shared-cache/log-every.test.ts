// Rate-limited logging and the one line of an error that may be logged.
import { errorLine, LogEvery } from '../../../src/shared-cache/log-every';

describe('LogEvery', () => {
  it('lets one line per topic through per interval', () => {
    let clock = 0;
    const logs = new LogEvery(1_000, () => clock);
    expect([logs.due('get'), logs.due('get'), logs.due('set')]).toEqual([true, false, true]);
    clock = 999;
    expect(logs.due('get')).toBe(false);
    clock = 1_000;
    expect(logs.due('get')).toBe(true);
  });
});

describe('errorLine', () => {
  it.each([
    [
      'an Error',
      new Error('connect ECONNREFUSED 127.0.0.1:1\n    at stack'),
      'connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      'an error-like object from another realm, without its properties',
      { message: 'WRONGPASS invalid username-password pair', command: { name: 'auth', args: ['hunter2'] } },
      'WRONGPASS invalid username-password pair',
    ],
    ['a string', 'boom', 'boom'],
    ['anything else', 42, 'unknown error'],
  ])('%s', (_name, error, line) => {
    expect(errorLine(error)).toBe(line);
  });
});
