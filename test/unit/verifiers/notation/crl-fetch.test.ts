// The CRL fetcher against misbehaving local servers: typed errors, the deadline, the caller's abort signal,
// --registry-ca, and the egress rule (a certificate may name any URL). All servers are on 127.0.0.1; forbidden
// targets go through a dispatcher that connects only to loopback, or a resolver with unspecified answers.
import type { LookupAddress } from 'node:dns';
import { RegistryError } from '../../../../src/registry/errors';
import { MAX_CRL_BYTES } from '../../../../src/verifiers/notation/limits';
import { createCrlFetcher } from '../../../../src/verifiers/notation/crl-fetch';
import { loopbackOnlyDispatcher, selfSignedCert, useAdversaries } from '../../registry/adversary';

const serve = useAdversaries();
const CRL = Buffer.from('not parsed here');

describe('CRL fetcher', () => {
  it.each([
    ['404', 404, 'REGISTRY_NOT_FOUND'],
    ['503', 503, 'REGISTRY_UNREACHABLE'],
    ['a redirect (never followed)', 302, 'REGISTRY_BAD_RESPONSE'],
    ['204', 204, 'REGISTRY_BAD_RESPONSE'],
  ])('an answer of %s is %s', async (_name, status, code) => {
    const s = await serve((_req, res) => {
      res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
      res.end();
    });
    const fetcher = createCrlFetcher();
    await expect(fetcher.fetch(`http://${s.host}/ca.crl`, Date.now() + 5000)).rejects.toThrowWithCode(code, {
      instanceOf: RegistryError,
      message: `http://${s.host}/ca.crl`,
    });
    expect(s.requests).toHaveLength(1);
    await fetcher.close();
  });

  it.each([
    ['declared', true],
    ['streamed', false],
  ])('a CRL over MAX_CRL_BYTES (%s) is REGISTRY_BLOB_TOO_LARGE', async (_name, declared) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, declared ? { 'content-length': MAX_CRL_BYTES + 1 } : {});
      res.end(Buffer.alloc(MAX_CRL_BYTES + 1));
    });
    const fetcher = createCrlFetcher();
    await expect(fetcher.fetch(`http://${s.host}/big.crl`, Date.now() + 5000)).rejects.toThrowWithCode(
      'REGISTRY_BLOB_TOO_LARGE',
      { instanceOf: RegistryError },
    );
    await fetcher.close();
  });

  it('returns the body of a 200', async () => {
    const s = await serve((_req, res) => res.end(CRL));
    const fetcher = createCrlFetcher();
    expect((await fetcher.fetch(`http://${s.host}/ok.crl`, Date.now() + 5000)).equals(CRL)).toBe(true);
    await fetcher.close();
  });

  it('reads the time from the injected clock: a deadline already past sends nothing', async () => {
    const s = await serve((_req, res) => res.end(CRL));
    const deadline = Date.now() + 60_000;
    const fetcher = createCrlFetcher({ now: () => deadline + 1 });
    await expect(fetcher.fetch(`http://${s.host}/late.crl`, deadline)).rejects.toThrowWithCode(
      'REGISTRY_TIMEOUT',
      { instanceOf: RegistryError },
    );
    expect(s.requests).toHaveLength(0);
    await fetcher.close();
  });

  it('a server that never answers fails with REGISTRY_TIMEOUT by the deadline', async () => {
    const s = await serve(() => undefined);
    const fetcher = createCrlFetcher();
    const started = Date.now();
    await expect(fetcher.fetch(`http://${s.host}/slow.crl`, Date.now() + 400)).rejects.toThrowWithCode(
      'REGISTRY_TIMEOUT',
      { instanceOf: RegistryError },
    );
    expect(Date.now() - started).toBeLessThan(2000);
    await fetcher.close();
  });

  it("stops when the caller's signal aborts, long before the deadline", async () => {
    const s = await serve(() => undefined);
    const fetcher = createCrlFetcher();
    const started = Date.now();
    await expect(
      fetcher.fetch(`http://${s.host}/slow.crl`, Date.now() + 4000, AbortSignal.timeout(200)),
    ).rejects.toThrowWithCode('REGISTRY_TIMEOUT', { instanceOf: RegistryError, message: /cancelled/ });
    expect(Date.now() - started).toBeLessThan(1500);
    await fetcher.close();
  });

  it('a refused connection is REGISTRY_UNREACHABLE, and a non-http URL is REGISTRY_BAD_RESPONSE', async () => {
    const fetcher = createCrlFetcher();
    await expect(fetcher.fetch('http://127.0.0.1:1/x.crl', Date.now() + 5000)).rejects.toThrowWithCode(
      'REGISTRY_UNREACHABLE',
      { instanceOf: RegistryError },
    );
    await expect(fetcher.fetch('ldap://127.0.0.1/x.crl', Date.now() + 5000)).rejects.toThrowWithCode(
      'REGISTRY_BAD_RESPONSE',
      { instanceOf: RegistryError },
    );
    await fetcher.close();
  });

  it.each([
    ['an untrusted certificate is REGISTRY_UNREACHABLE naming --registry-ca', false],
    ['--registry-ca trusts it', true],
  ])('https: %s', async (_name, trusted) => {
    const cert = selfSignedCert();
    const s = await serve((_req, res) => res.end(CRL), cert);
    const fetcher = createCrlFetcher(trusted ? { registryCa: cert.cert } : {});
    const got = fetcher.fetch(`https://${s.host}/tls.crl`, Date.now() + 5000);
    if (trusted) expect((await got).equals(CRL)).toBe(true);
    else
      await expect(got).rejects.toThrowWithCode('REGISTRY_UNREACHABLE', {
        instanceOf: RegistryError,
        message: '--registry-ca',
      });
    await fetcher.close();
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/crl',
    'http://metadata.google.internal/crl',
  ])('refuses %s without a connection attempt', async (url) => {
    const spy = loopbackOnlyDispatcher();
    const fetcher = createCrlFetcher({ dispatcher: spy.dispatcher });
    await expect(fetcher.fetch(url, Date.now() + 5000)).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
      instanceOf: RegistryError,
      message: /CRL .*(metadata|link-local)/,
    });
    expect(spy.attempts).toEqual([]);
    await fetcher.close();
    await spy.dispatcher.close();
  });

  it('refuses a CRL host whose name resolves to a forbidden address, before connecting', async () => {
    const asked: string[] = [];
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      asked.push(hostname);
      return [{ address: '0.0.0.0', family: 4 }];
    };
    const fetcher = createCrlFetcher({ egress: { resolve } });
    await expect(
      fetcher.fetch('http://crl.evil.test:8080/ca.crl', Date.now() + 5000),
    ).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', { instanceOf: RegistryError });
    expect(asked).toEqual(['crl.evil.test']);
    await fetcher.close();
  });
});
