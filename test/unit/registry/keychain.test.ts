import {
  ANONYMOUS,
  ChainedKeychain,
  Keychain,
  normaliseRegistryHost,
  RegistryError,
} from '../../../src/registry';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('normaliseRegistryHost', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['Docker.IO', 'docker.io'],
    ['http://Registry.Example.com:5000/v2/', 'registry.example.com:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['ghcr.io', 'ghcr.io'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseRegistryHost(input)).toBe(expected);
  });
});

describe('Keychain.fromDockerConfigJson', () => {
  it.each([
    [
      'auth (.dockerconfigjson)',
      { auths: { 'ghcr.io': { auth: b64('u:p:with:colons') } } },
      'ghcr.io',
      { username: 'u', password: 'p:with:colons' },
    ],
    [
      'username/password win over auth',
      { auths: { 'ghcr.io': { auth: b64('a:b'), username: 'u', password: 'p' } } },
      'ghcr.io',
      { username: 'u', password: 'p' },
    ],
    [
      'legacy .dockercfg',
      { 'https://index.docker.io/v1/': { auth: b64('u:p'), email: 'x@y' } },
      'docker.io',
      { username: 'u', password: 'p' },
    ],
    ['identity token', { auths: { 'acr.io': { identitytoken: 'rt' } } }, 'acr.io', { identityToken: 'rt' }],
    [
      'registry token',
      { auths: { 'r.io:5000': { registrytoken: 'bt' } } },
      'r.io:5000',
      { registryToken: 'bt' },
    ],
    [
      'host without port is a different registry',
      { auths: { 'r.io': { auth: b64('u:p') } } },
      'r.io:5000',
      undefined,
    ],
    ['an empty entry is no credential', { auths: { 'r.io': {} } }, 'r.io', undefined],
  ])('%s', (_name, config, host, expected) => {
    expect(Keychain.fromDockerConfigJson(JSON.stringify(config)).lookup(host)).toEqual(expected);
  });

  it.each([
    ['not JSON, quoting no secret', '{"auths": {"r.io": {"auth": "c2VjcmV0OnB3"', 'c2VjcmV0'],
    ['not an object', '[1]', undefined],
    ['auths not an object', '{"auths": "x"}', undefined],
    [
      'auth not base64 of user:pass',
      JSON.stringify({ auths: { 'r.io': { auth: b64('nocolon-secret') } } }),
      'nocolon-secret',
    ],
    ['auth with junk characters', JSON.stringify({ auths: { 'r.io': { auth: 'sec ret!!' } } }), 'sec ret'],
  ])('rejects %s with REGISTRY_CREDENTIALS_INVALID', (_name, json, secret) => {
    expect(() => Keychain.fromDockerConfigJson(json)).toThrowWithCode('REGISTRY_CREDENTIALS_INVALID', {
      instanceOf: RegistryError,
      cause: undefined,
      ...(secret === undefined ? {} : { message: expect.not.stringContaining(secret) }),
    });
  });
});

describe('ChainedKeychain', () => {
  it('returns the first source that knows the host', async () => {
    const first = Keychain.fromDockerConfigJson(
      JSON.stringify({ auths: { 'a.io': { auth: b64('first:1') } } }),
    );
    const second = Keychain.fromDockerConfigJson(
      JSON.stringify({ auths: { 'a.io': { auth: b64('second:2') }, 'b.io': { auth: b64('b:3') } } }),
    );
    const chain = new ChainedKeychain([ANONYMOUS, first, second]);
    expect((await chain.lookup('a.io'))?.username).toBe('first');
    expect((await chain.lookup('b.io'))?.username).toBe('b');
    expect(await chain.lookup('c.io')).toBeUndefined();
  });
});
