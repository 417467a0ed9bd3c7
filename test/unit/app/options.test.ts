// The registry and listen flags that serve, verify and review share: each refusal is a usage error naming the flag.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toInsecureRegistry, toListen, toNoMatch, toRegistryFlags } from '../../../src/app/options';
import { ConfigError } from '../../../src/errors';

describe('toNoMatch', () => {
  it.each([
    [undefined, 'deny'],
    ['deny', 'deny'],
    ['allow', 'allow'],
    ['warn', 'warn'],
  ])('%s → %s', (value, expected) => {
    expect(toNoMatch(value)).toBe(expected);
  });

  it('refuses anything else', () => {
    expect(() => toNoMatch('maybe')).toThrowWithCode('CONFIG_INVALID_FLAG', {
      instanceOf: ConfigError,
      message: '--no-match must be deny, allow or warn, not "maybe"',
    });
  });
});

describe('toInsecureRegistry', () => {
  it.each([
    ['Registry.Example.com:5000', 'registry.example.com:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['localhost', 'localhost'],
  ])('%s → %s', (value, expected) => {
    expect(toInsecureRegistry(value)).toBe(expected);
  });

  it.each(['http://r.example', 'r.example/path', '', '-r.example'])('refuses %j', (value) => {
    expect(() => toInsecureRegistry(value)).toThrowWithCode('CONFIG_INVALID_FLAG', {
      message: '--insecure-registry expects HOST[:PORT]',
    });
  });
});

describe('toListen', () => {
  it.each([
    [undefined, false, { host: '0.0.0.0', port: 8443 }],
    ['127.0.0.1:0', true, { host: '127.0.0.1', port: 0 }],
    ['[::1]:8080', true, { host: '::1', port: 8080 }],
    ['localhost:9', true, { host: 'localhost', port: 9 }],
  ] as const)('%s (plain HTTP %s)', (value, plainHttp, expected) => {
    expect(toListen(value, plainHttp)).toEqual(expected);
  });

  it.each([
    ['no port', '127.0.0.1', false, '--listen expects HOST:PORT'],
    ['a port past 65535', '127.0.0.1:70000', false, '--listen expects HOST:PORT'],
    ['plain HTTP off loopback', '0.0.0.0:8080', true, 'only binds to loopback'],
  ])('refuses %s', (_name, value, plainHttp, message) => {
    expect(() => toListen(value, plainHttp)).toThrowWithCode('CONFIG_INVALID_FLAG', { message });
  });
});

describe('toRegistryFlags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-flags-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads --registry-ca and --docker-config files and validates the rest', () => {
    // Only the PEM header is checked here; the certificate itself is parsed where it is used.
    const ca = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const flags = toRegistryFlags({
      insecureRegistry: ['R.example:5000'],
      registryCa: file('ca.pem', ca),
      noMatch: 'warn',
      dockerConfig: [file('config.json', '{"auths":{}}')],
    });
    expect(flags).toEqual({
      insecureRegistries: ['r.example:5000'],
      registryCa: ca,
      noMatch: 'warn',
      dockerConfigs: ['{"auths":{}}'],
    });
    expect(toRegistryFlags({})).toEqual({ insecureRegistries: [], noMatch: 'deny', dockerConfigs: [] });
  });

  it('refuses a --registry-ca file without a PEM certificate, and an unreadable file', () => {
    expect(() => toRegistryFlags({ registryCa: file('not-a-cert.pem', 'hello') })).toThrowWithCode(
      'CONFIG_INVALID_FLAG',
      { message: 'no PEM certificate in the file' },
    );
    expect(() => toRegistryFlags({ dockerConfig: [join(dir, 'missing.json')] })).toThrowWithCode(
      'CONFIG_FILE_UNREADABLE',
      { instanceOf: ConfigError, message: ['--docker-config', 'ENOENT'] },
    );
  });
});
