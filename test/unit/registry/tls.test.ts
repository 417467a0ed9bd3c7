import { RegistryError } from '../../../src/registry';
import { DIGEST, selfSignedCert, sendManifest, testClient, useAdversaries, within } from './adversary';

const serve = useAdversaries();

describe('TLS and insecure registries', () => {
  const cert = selfSignedCert();

  it.each([
    ['an untrusted certificate is refused with a hint', {}, 'REGISTRY_UNREACHABLE'],
    ['--registry-ca trusts it', { registryCa: cert.cert }, undefined],
    ['--insecure-registry skips verification', { insecure: true }, undefined],
  ])('%s', async (_name, opts: { registryCa?: string; insecure?: boolean }, code) => {
    const s = await serve((_req, res) => sendManifest(res), cert);
    const { client } = testClient({
      ...(opts.registryCa ? { registryCa: opts.registryCa } : {}),
      insecureRegistries: opts.insecure ? [s.host] : [],
    });
    const got = client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000));
    if (code === undefined) expect((await got).digest).toBe(DIGEST);
    else
      await expect(got).rejects.toThrowWithCode(code, {
        instanceOf: RegistryError,
        message: '--registry-ca',
      });
    await client.close();
  });

  it('an insecure registry that has no TLS is spoken to over http, and the scheme is remembered', async () => {
    const s = await serve((_req, res) => sendManifest(res));
    const { client, outcomes } = testClient({ insecureRegistries: [s.host] });
    expect((await client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000))).digest).toBe(
      DIGEST,
    );
    expect((await client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000))).digest).toBe(
      DIGEST,
    );
    expect(outcomes).toEqual(['2xx', '2xx']);
    await client.close();
  });
});
