// The egress rule and its enforcement points, without any network: a spy stands in for the socket layer.
import type { LookupAddress } from 'node:dns';
import {
  checkEgressUrl,
  egressRefusal,
  findEgressRefusal,
  guardedConnector,
  guardedLookup,
  type EgressResolver,
} from '../../../../src/registry/http/egress';
import { RegistryError } from '../../../../src/registry/errors';

// resolverOf answers from a fixed table, recording every name it was asked about.
function resolverOf(table: Record<string, string[]>): EgressResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

describe('egressRefusal (the rule)', () => {
  it.each([
    ['169.254.169.254', /^169\.254\.169\.254 is a cloud metadata address/],
    ['169.254.170.2', /cloud metadata address \(Amazon ECS/],
    ['100.100.100.200', /cloud metadata address \(Alibaba/],
    ['fd00:ec2::254', /cloud metadata address \(AWS/],
    ['fd20:ce::254', /cloud metadata address \(Google/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['::', /unspecified/],
    ['::ffff:169.254.169.254', /is 169\.254\.169\.254, a cloud metadata address/],
    ['::ffff:a9fe:a9fe', /is 169\.254\.169\.254, a cloud metadata address/],
    ['0:0:0:0:0:ffff:a9fe:a9fe', /cloud metadata/],
    ['::a9fe:a9fe', /is 169\.254\.169\.254/],
    ['64:ff9b::a9fe:a9fe', /is 169\.254\.169\.254/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['[fe80::1]', /link-local/],
    ['metadata.google.internal', /cloud metadata host name/],
    ['METADATA.google.internal.', /cloud metadata host name/],
  ])('refuses %s', (host, why) => {
    expect(egressRefusal(host)).toMatch(why);
  });

  it.each([
    '127.0.0.1',
    '127.8.9.1',
    '::1',
    '::ffff:127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.10',
    '100.64.0.1',
    'fd00::1',
    'fec0::1',
    '8.8.8.8',
    '2001:db8::1',
    '169.255.0.1',
    'registry.example.com',
    'localhost',
  ])('allows %s', (host) => {
    expect(egressRefusal(host)).toBeUndefined();
  });
});

describe('checkEgressUrl (before any request)', () => {
  it.each([
    ['a metadata IP', 'http://169.254.169.254/latest/meta-data'],
    ['a decimal IPv4', 'http://2852039166/'],
    ['a hex IPv4', 'http://0xa9.0xfe.0xa9.0xfe/'],
    ['an octal IPv4', 'http://0251.0376.0251.0376/'],
    ['a short-form IPv4', 'http://169.254.43518/'],
    ['an IPv4-mapped IPv6', 'http://[::ffff:169.254.169.254]/'],
    ['an IPv4-compatible IPv6', 'http://[::169.254.169.254]/'],
    ['a NAT64 IPv6', 'https://[64:ff9b::169.254.169.254]/'],
    ['a link-local IPv6', 'https://[fe80::1]:5000/v2/'],
    ['the unspecified address', 'http://0/'],
    ['the metadata host name', 'http://metadata.google.internal/computeMetadata/v1/'],
    ['the metadata host name with a dot', 'http://metadata.google.internal./'],
  ])('refuses %s with REGISTRY_EGRESS_REFUSED naming host and reason', (_name, url) => {
    expect(() => checkEgressUrl(new URL(url))).toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
      instanceOf: RegistryError,
      message: [
        new URL(url).hostname.replace(/^\[|\]$/g, ''),
        /metadata|link-local|unspecified/,
        /loopback and private/,
      ],
    });
  });

  it.each([
    'http://127.0.0.1:5000/v2/',
    'https://[::1]:5000/',
    'https://registry.example.com/v2/',
    'http://10.1.2.3/',
  ])('allows %s (names are checked after DNS, at connect time)', (url) => {
    expect(() => checkEgressUrl(new URL(url))).not.toThrow();
  });
});

describe('guardedConnector (IP literals, which net.connect never looks up)', () => {
  // spyConnector records every connection attempt and never opens a socket.
  function spyConnector() {
    const attempts: string[] = [];
    const connector = (opts: { hostname: string }, cb: (err: Error | null, socket: null) => void): void => {
      attempts.push(opts.hostname);
      cb(new Error('spy: no sockets in unit tests'), null);
    };
    return { attempts, connector };
  }

  it.each(['169.254.169.254', '::ffff:a9fe:a9fe', 'fe80::1', '0.0.0.0', 'metadata.google.internal'])(
    'refuses %s before the connector below it is called',
    async (hostname) => {
      const spy = spyConnector();
      const connect = guardedConnector(spy.connector as never);
      const connecting = new Promise<void>((resolve, reject) =>
        connect({ hostname, protocol: 'http:', port: '80' }, (...[e]) => (e ? reject(e) : resolve())),
      );
      await expect(connecting).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
        instanceOf: RegistryError,
      });
      expect(spy.attempts).toEqual([]);
    },
  );

  it('passes an allowed host to the connector below it', async () => {
    const spy = spyConnector();
    const connect = guardedConnector(spy.connector as never);
    await new Promise<void>((resolve) =>
      connect({ hostname: '127.0.0.1', protocol: 'http:', port: '80' }, () => resolve()),
    );
    expect(spy.attempts).toEqual(['127.0.0.1']);
  });
});

describe('guardedLookup (names, after DNS: the address checked is the one connected to)', () => {
  // lookup runs the guarded lookup the way net.connect does, with or without `all`; it rejects with the
  // error the lookup calls back with.
  function lookup(resolve: EgressResolver, hostname: string, all: boolean) {
    return new Promise<unknown>((done, fail) =>
      guardedLookup(resolve)(hostname, { all }, (err: Error | null, address: unknown, family?: number) =>
        err ? fail(err) : done(all ? address : { address, family }),
      ),
    );
  }

  const resolve = resolverOf({
    'evil.test': ['169.254.169.254'],
    'mixed.test': ['127.0.0.1', 'fd00:ec2::254'],
    'mapped.test': ['::ffff:169.254.169.254'],
    'good.test': ['127.0.0.1', '::1'],
  });

  it.each([
    ['evil.test', '169.254.169.254'],
    ['mixed.test', 'fd00:ec2::254'],
    ['mapped.test', '::ffff:169.254.169.254'],
  ])('refuses %s, which resolves to %s', async (hostname, address) => {
    for (const all of [true, false]) {
      await expect(lookup(resolve, hostname, all)).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
        instanceOf: RegistryError,
        message: [hostname, address],
        details: { host: hostname, address },
      });
    }
  });

  it('answers an allowed name with its addresses, in the form net asked for', async () => {
    expect(await lookup(resolve, 'good.test', true)).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(await lookup(resolve, 'good.test', false)).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('passes a resolver failure through unchanged', async () => {
    await expect(lookup(resolve, 'nowhere.test', true)).rejects.toThrowWithCode('ENOTFOUND', {
      message: 'getaddrinfo ENOTFOUND nowhere.test',
    });
  });
});

describe('findEgressRefusal', () => {
  it('finds the refusal under the wrappers undici and fetch add', () => {
    const refusal = new RegistryError('REGISTRY_EGRESS_REFUSED', 'refused');
    const wrapped = new TypeError('fetch failed', { cause: new Error('socket', { cause: refusal }) });
    expect(findEgressRefusal(wrapped)).toBe(refusal);
    expect(findEgressRefusal(new Error('ECONNREFUSED'))).toBeUndefined();
    expect(findEgressRefusal(new RegistryError('REGISTRY_TIMEOUT', 'slow'))).toBeUndefined();
  });
});
