// The registry client never connects where the egress rule forbids: not through a redirect, a token realm or a
// DNS answer. Every server is on 127.0.0.1. Tests with IP literals use a dispatcher that records attempts and
// connects only to loopback. Tests through the real egress Agents resolve names with an injected resolver whose
// forbidden answers are unspecified addresses (0.0.0.0, ::ffff:0.0.0.0): refused by the rule, and local even if
// the guard ever broke, so no test can reach the network. egress.test.ts checks the metadata answers
// (169.254.169.254, fd00:ec2::254, …) on the lookup itself, without connecting.
import type { LookupAddress } from 'node:dns';
import { Keychain, RegistryError } from '../../../src/registry';
import { loopbackOnlyDispatcher, sendManifest, testClient, useAdversaries, within } from './adversary';

const serve = useAdversaries();

// resolverTo maps every name to `address`, recording what it was asked.
function resolverTo(table: Record<string, string>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const address = table[hostname];
    if (address === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return { resolve, asked };
}

describe('egress guard in the registry transport', () => {
  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['an IPv4-mapped IPv6 metadata address', 'http://[::ffff:169.254.169.254]/x', '::ffff:a9fe:a9fe'],
    ['a decimal-encoded metadata address', 'http://2852039166/x', '169.254.169.254'],
    ['a link-local IPv6 address', 'http://[fe80::1]:8080/x', 'fe80::1'],
    [
      'the metadata host name',
      'http://metadata.google.internal/computeMetadata/v1/',
      'metadata.google.internal',
    ],
  ])('refuses a redirect to %s without a connection attempt', async (_name, location, shown) => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location });
      res.end();
    });
    const spy = loopbackOnlyDispatcher();
    const { client, outcomes } = testClient({ dispatcher: spy.dispatcher });
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
      instanceOf: RegistryError,
      message: [shown, /metadata|link-local/, `${s.host}/x`],
    });
    expect([...new Set(spy.attempts)]).toEqual(['127.0.0.1']);
    expect(outcomes).toEqual(['3xx', 'refused']);
    await client.close();
    await spy.dispatcher.close();
  });

  it('refuses a registry whose name resolves to a forbidden address, before connecting and without retrying', async () => {
    const dns = resolverTo({ 'evil.test': '0.0.0.0' });
    const { client, outcomes } = testClient({ egress: { resolve: dns.resolve } });
    await expect(
      client.resolve({ registry: 'evil.test:5000', repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
      instanceOf: RegistryError,
      message: /evil\.test \(0\.0\.0\.0\): 0\.0\.0\.0 is an unspecified address/,
      details: { registry: 'evil.test:5000', host: 'evil.test', address: '0.0.0.0' },
    });
    expect(dns.asked).toEqual(['evil.test']);
    expect(outcomes).toEqual(['refused']);
    await client.close();
  });

  it('connects to the address the resolver gave (so the address checked is the address used)', async () => {
    const s = await serve((_req, res) => sendManifest(res));
    const port = s.host.split(':')[1];
    const dns = resolverTo({ 'good.test': '127.0.0.1' });
    const host = `good.test:${port}`;
    const { client } = testClient({ insecureRegistries: [host], egress: { resolve: dns.resolve } });
    const m = await client.getManifest({ registry: host, repository: 'x' }, 'v1', within(5000));
    expect(m.descriptor.digest).toMatch(/^sha256:/);
    expect(dns.asked.length).toBeGreaterThan(0);
    expect(s.requests).toHaveLength(1);
    await client.close();
  });

  it('refuses a redirect to a name that resolves to a forbidden (IPv4-mapped) address', async () => {
    const dns = resolverTo({ 'evil.test': '::ffff:0.0.0.0' });
    const s = await serve((_req, res) => {
      res.writeHead(307, { location: 'http://evil.test:8080/latest/meta-data/' });
      res.end();
    });
    const { client } = testClient({ egress: { resolve: dns.resolve } });
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', { instanceOf: RegistryError });
    expect(dns.asked).toEqual(['evil.test']);
    await client.close();
  });

  it.each([
    ['an IPv4-mapped metadata realm', 'https://[::ffff:a9fe:a9fe]/token'],
    ['the metadata host name as realm', 'https://metadata.google.internal/token'],
  ])('refuses %s without contacting it', async (_name, realm) => {
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"` });
      res.end();
    });
    const creds = Keychain.fromDockerConfigJson(
      JSON.stringify({ auths: { [s.host]: { username: 'u', password: 'p' } } }),
    );
    const spy = loopbackOnlyDispatcher();
    const { client } = testClient({ dispatcher: spy.dispatcher });
    await expect(
      client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000, creds)),
    ).rejects.toThrowWithCode('REGISTRY_AUTH_REALM_REFUSED', { instanceOf: RegistryError });
    expect([...new Set(spy.attempts)]).toEqual(['127.0.0.1']);
    await client.close();
    await spy.dispatcher.close();
  });

  it('refuses a token realm whose name resolves to a forbidden address', async () => {
    const dns = resolverTo({ 'auth.test': '0.0.0.0' });
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="https://auth.test/token",service="s"' });
      res.end();
    });
    const { client } = testClient({ egress: { resolve: dns.resolve } });
    await expect(
      client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', { instanceOf: RegistryError });
    expect(dns.asked).toEqual(['auth.test']);
    await client.close();
  });
});
