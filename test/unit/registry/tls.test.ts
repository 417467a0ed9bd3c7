import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { OCI_MANIFEST, RegistryError } from '../../../src/registry';
import { adversary, failure, selfSignedCert, testClient, within, type Adversary } from './adversary';

const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }),
);
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const servers: Adversary[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// serve starts an adversary and closes it after the test.
async function serve(...args: Parameters<typeof adversary>): Promise<Adversary> {
  const s = await adversary(...args);
  servers.push(s);
  return s;
}

// sendManifest answers like a well-behaved registry.
function sendManifest(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': OCI_MANIFEST,
    'docker-content-digest': DIGEST,
    'content-length': MANIFEST.length,
  });
  res.end(MANIFEST);
}

// expectCode checks class and code together.
function expectCode(err: unknown, code: string): void {
  expect(err).toBeInstanceOf(RegistryError);
  expect((err as RegistryError).code).toBe(code);
}

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
    else {
      const err = await failure(got);
      expectCode(err, code);
      expect(err.message).toContain('--registry-ca');
    }
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
