import { MAX_CHALLENGES, parseWwwAuthenticate } from '../../../src/registry/www-authenticate';

// flat turns challenges into plain objects for comparison.
function flat(header: string) {
  return parseWwwAuthenticate(header).map((c) => ({
    scheme: c.scheme,
    params: Object.fromEntries(c.params),
  }));
}

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Bearer with quoted params',
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example.com/token',
            service: 'registry.example.com',
            scope: 'repository:a/b:pull',
          },
        },
      ],
    ],
    ['Basic', 'Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'a comma inside a quoted value',
      'Bearer realm="https://a/t",scope="repository:x:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://a/t', scope: 'repository:x:pull,push' } }],
    ],
    ['escaped quotes', 'Bearer realm="a\\"b"', [{ scheme: 'bearer', params: { realm: 'a"b' } }]],
    [
      'unquoted values, spaces around =, mixed case',
      'BEARER Realm = https://a/t , Service=s',
      [{ scheme: 'bearer', params: { realm: 'https://a/t', service: 's' } }],
    ],
    [
      'two challenges',
      'Basic realm="r", Bearer realm="https://a/t"',
      [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'https://a/t' } },
      ],
    ],
    [
      'token68 then another challenge',
      'Negotiate abc==, Basic realm="r"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
    ['a bare scheme', 'Basic', [{ scheme: 'basic', params: {} }]],
    [
      'the first of duplicate params wins',
      'Bearer realm="a",realm="b"',
      [{ scheme: 'bearer', params: { realm: 'a' } }],
    ],
    [
      'an unterminated quote runs to the end',
      'Bearer realm="abc',
      [{ scheme: 'bearer', params: { realm: 'abc' } }],
    ],
    ['empty', '', []],
    ['garbage', '"""===,,,', []],
  ])('%s', (_name, header, expected) => {
    expect(flat(header)).toEqual(expected);
  });

  it('treats __proto__ as just a parameter name', () => {
    const [c] = parseWwwAuthenticate('Bearer __proto__="x", constructor=y');
    expect(c?.params.get('__proto__')).toBe('x');
    expect(c?.params.get('constructor')).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('stops after MAX_CHALLENGES', () => {
    expect(parseWwwAuthenticate('Basic, '.repeat(100))).toHaveLength(MAX_CHALLENGES);
  });

  it('is linear on pathological input', () => {
    const started = Date.now();
    parseWwwAuthenticate(`Bearer ${'a="\\'.repeat(20_000)}`);
    parseWwwAuthenticate('a'.repeat(100_000));
    parseWwwAuthenticate('a=,'.repeat(30_000));
    expect(Date.now() - started).toBeLessThan(500);
  });
});
