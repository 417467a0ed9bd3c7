import { createHash } from 'node:crypto';
import {
  Keychain,
  MAX_MANIFEST_BYTES,
  MAX_REDIRECTS,
  MAX_WWW_AUTHENTICATE_CHARS,
  OCI_MANIFEST,
  RegistryError,
} from '../../../src/registry';
import {
  adversary,
  DIGEST,
  MANIFEST,
  selfSignedCert,
  sendManifest,
  testClient,
  useAdversaries,
  within,
} from './adversary';

const serve = useAdversaries();

describe('hostile registries', () => {
  it('a registry that never answers fails with REGISTRY_TIMEOUT by the deadline', async () => {
    const s = await serve(() => undefined);
    const { client } = testClient();
    const started = Date.now();
    await expect(
      client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(700)),
    ).rejects.toThrowWithCode('REGISTRY_TIMEOUT', { instanceOf: RegistryError });
    expect(Date.now() - started).toBeLessThan(2000);
    await client.close();
  });

  it('a registry that drips its body one byte at a time still fails by the deadline', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    const { client } = testClient();
    const started = Date.now();
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(800)),
    ).rejects.toThrowWithCode('REGISTRY_TIMEOUT', { instanceOf: RegistryError });
    expect(Date.now() - started).toBeLessThan(2500);
    await client.close();
  });

  it('a 1 GB chunked manifest is cut off after about MAX_MANIFEST_BYTES', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      let closed = false;
      res.on('close', () => (closed = true));
      const pump = (): void => {
        while (!closed && written < 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const { client } = testClient();
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(20_000)),
    ).rejects.toThrowWithCode('REGISTRY_MANIFEST_TOO_LARGE', { instanceOf: RegistryError });
    await new Promise((r) => setTimeout(r, 100));
    // Socket buffers on both sides hold a few MiB more than we read; nowhere near 1 GB.
    expect(written).toBeGreaterThan(MAX_MANIFEST_BYTES);
    expect(written).toBeLessThan(MAX_MANIFEST_BYTES + 16 * 1024 * 1024);
    await client.close();
  });

  it('a declared Content-Length over the limit is refused before reading', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(5 * 1024 ** 3) });
      res.write('{');
    });
    const { client } = testClient();
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_MANIFEST_TOO_LARGE', {
      instanceOf: RegistryError,
      message: `declared ${5 * 1024 ** 3} bytes`,
    });
    await client.close();
  });

  it('a manifest fetched by digest must hash to it', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': DIGEST });
      res.end(Buffer.concat([MANIFEST, Buffer.from(' ')]));
    });
    const { client } = testClient();
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, DIGEST, within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_DIGEST_MISMATCH', { instanceOf: RegistryError });
    await client.close();
  });

  it('a manifest fetched by tag gets the digest of its bytes, not of the header', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': `sha256:${'0'.repeat(64)}`,
      });
      res.end(MANIFEST);
    });
    const { client } = testClient();
    expect(
      (await client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(5000))).descriptor.digest,
    ).toBe(DIGEST);
    await client.close();
  });

  it('a blob longer than its descriptor, or with other bytes, is a digest mismatch', async () => {
    const blob = Buffer.from('hello');
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const s = await serve((req, res) => res.end(req.url?.includes('long') ? 'hello world' : 'HELLO'));
    const { client } = testClient();
    for (const repo of ['long', 'other']) {
      await expect(
        client.getBlob(
          { registry: s.host, repository: repo },
          { mediaType: 'x', digest, size: 5 },
          within(5000),
        ),
      ).rejects.toThrowWithCode('REGISTRY_DIGEST_MISMATCH', { instanceOf: RegistryError });
    }
    await expect(
      client.getBlob(
        { registry: s.host, repository: 'x' },
        { mediaType: 'x', digest, size: 100 },
        within(5000),
        10,
      ),
    ).rejects.toThrowWithCode('REGISTRY_BLOB_TOO_LARGE', { instanceOf: RegistryError });
    expect(s.requests).toHaveLength(2); // the over-size descriptor was refused without a request
    await client.close();
  });

  it('honours a short Retry-After on 429 and then succeeds', async () => {
    const s = await serve((_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        return void res.end();
      }
      sendManifest(res);
    });
    const { client } = testClient();
    const started = Date.now();
    expect((await client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(10_000))).digest).toBe(
      DIGEST,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(s.requests).toHaveLength(2);
    await client.close();
  });

  it('gives up at once with REGISTRY_RATE_LIMITED when Retry-After does not fit in the deadline', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(429, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() });
      res.end();
    });
    const { client } = testClient();
    const started = Date.now();
    await expect(
      client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_RATE_LIMITED', { instanceOf: RegistryError });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.requests).toHaveLength(1);
    await client.close();
  });

  it('retries 503 with backoff and reports each exchange', async () => {
    const s = await serve((_req, res, n) => (n <= 2 ? (res.writeHead(503), res.end()) : sendManifest(res)));
    const { client, outcomes } = testClient();
    expect((await client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(10_000))).digest).toBe(
      DIGEST,
    );
    expect(outcomes).toEqual(['5xx', '5xx', '2xx']);
    await client.close();
  });

  it('stops a redirect loop after MAX_REDIRECTS', async () => {
    const s = await serve((req, res) => {
      res.writeHead(302, { location: `${req.url}x` });
      res.end();
    });
    const { client } = testClient();
    await expect(
      client.getManifest({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_TOO_MANY_REDIRECTS', { instanceOf: RegistryError });
    expect(s.requests).toHaveLength(MAX_REDIRECTS + 1);
    await client.close();
  });

  it('strips Authorization on a cross-origin redirect and keeps it on a same-origin one', async () => {
    const blob = Buffer.from('layer');
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const storage = await serve((_req, res) => res.end(blob));
    const s = await serve((req, res) => {
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return void res.end();
      }
      const target = req.url?.startsWith('/v2/same/blobs')
        ? `/storage${req.url}`
        : req.url?.startsWith('/storage')
          ? undefined
          : `http://${storage.host}/blob`;
      if (target === undefined) return void res.end(blob);
      res.writeHead(307, { location: target });
      res.end();
    });
    const creds = Keychain.fromDockerConfigJson(
      JSON.stringify({ auths: { [s.host]: { username: 'u', password: 'secret' } } }),
    );
    const { client } = testClient();
    for (const repository of ['cross', 'same']) {
      expect(
        (
          await client.getBlob(
            { registry: s.host, repository },
            { mediaType: 'x', digest, size: blob.length },
            within(5000, creds),
          )
        ).equals(blob),
      ).toBe(true);
    }
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]?.authorization).toBeUndefined();
    expect(s.requests.find((r) => r.url.startsWith('/storage'))?.authorization).toMatch(/^Basic /);
    await client.close();
  });

  it('refuses an https → http redirect', async () => {
    const plain = await serve((_req, res) => sendManifest(res));
    const tls = await serve((_req, res) => {
      res.writeHead(302, { location: `http://${plain.host}/v2/x/manifests/v1` });
      res.end();
    }, selfSignedCert());
    const { client } = testClient({ insecureRegistries: [tls.host] });
    await expect(
      client.getManifest({ registry: tls.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_REDIRECT_REFUSED', { instanceOf: RegistryError });
    expect(plain.requests).toHaveLength(0);
    await client.close();
  });

  it('refuses an over-long WWW-Authenticate, and parses a pathological one quickly', async () => {
    const long = `Bearer realm="http://127.0.0.1/t",${'a="b",'.repeat(MAX_WWW_AUTHENTICATE_CHARS / 6)}`;
    const s = await serve((req, res) => {
      res.writeHead(401, {
        'www-authenticate': req.url?.includes('long') ? long : `Basic ${'"\\,='.repeat(1500)}`,
      });
      res.end();
    });
    const { client } = testClient();
    await expect(
      client.resolve({ registry: s.host, repository: 'long' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_BAD_RESPONSE', { instanceOf: RegistryError });
    const started = Date.now();
    await expect(
      client.resolve({ registry: s.host, repository: 'weird' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED', { instanceOf: RegistryError });
    expect(Date.now() - started).toBeLessThan(500);
    await client.close();
  });

  it.each([
    ['a plain-http realm on another host', 'http://10.0.0.1/token'],
    ['a link-local realm', 'https://169.254.169.254/latest/meta-data'],
    ['a non-http realm', 'file:///etc/passwd'],
  ])('refuses %s without contacting it', async (_name, realm) => {
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"` });
      res.end();
    });
    const creds = Keychain.fromDockerConfigJson(
      JSON.stringify({ auths: { [s.host]: { username: 'u', password: 'p' } } }),
    );
    const { client, outcomes } = testClient();
    await expect(
      client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000, creds)),
    ).rejects.toThrowWithCode('REGISTRY_AUTH_REALM_REFUSED', { instanceOf: RegistryError });
    expect(outcomes).toEqual(['4xx']);
    await client.close();
  });

  it('falls back to the tag schema when the referrers API is missing, and follows Link pages when present', async () => {
    const desc = (n: number) => ({
      mediaType: OCI_MANIFEST,
      digest: `sha256:${String(n).repeat(64)}`,
      size: 1,
      artifactType: 'a',
    });
    const index = (ms: unknown[]) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: ms,
      });
    const s = await serve((req, res) => {
      const url = req.url ?? '';
      const type = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
      if (url.startsWith('/v2/old/referrers/')) return void (res.writeHead(404), res.end());
      if (url === `/v2/old/manifests/sha256-${'a'.repeat(64)}`)
        return void (res.writeHead(200, type), res.end(index([desc(1), { bad: true }])));
      if (url.startsWith('/v2/new/referrers/') && url.includes('page=2'))
        return void (res.writeHead(200, type), res.end(index([desc(3)])));
      if (url.startsWith('/v2/new/referrers/')) {
        res.writeHead(200, {
          ...type,
          link: `</v2/new/referrers/sha256:${'a'.repeat(64)}?page=2>; rel="next"`,
        });
        return void res.end(index([desc(2)]));
      }
      res.writeHead(404);
      res.end();
    });
    const { client } = testClient();
    const subject = `sha256:${'a'.repeat(64)}`;
    expect(
      (await client.listReferrers({ registry: s.host, repository: 'old' }, subject, within(5000))).map(
        (d) => d.digest,
      ),
    ).toEqual([desc(1).digest]);
    expect(
      (await client.listReferrers({ registry: s.host, repository: 'new' }, subject, within(5000))).map(
        (d) => d.digest,
      ),
    ).toEqual([desc(2).digest, desc(3).digest]);
    expect(
      await client.listReferrers({ registry: s.host, repository: 'none' }, subject, within(5000)),
    ).toEqual([]);
    const before = s.requests.length;
    await client.listReferrers({ registry: s.host, repository: 'old' }, subject, within(5000));
    // The API's 404 is remembered for the repository: the second lookup reads the tag schema only.
    expect(s.requests.slice(before).map((r) => r.url)).toEqual([
      `/v2/old/manifests/sha256-${'a'.repeat(64)}`,
    ]);
    await client.close();
  });

  it('refuses Docker schema 1 manifests', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      res.end(JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'v1', fsLayers: [] }));
    });
    const { client } = testClient();
    await expect(
      client.resolve({ registry: s.host, repository: 'x' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_UNSUPPORTED_MEDIA_TYPE', { instanceOf: RegistryError });
    await client.close();
  });

  it('a refused connection is REGISTRY_UNREACHABLE within the deadline', async () => {
    const s = await adversary(() => undefined); // not tracked: closed here, on purpose
    const host = s.host;
    await s.close();
    const { client } = testClient();
    await expect(
      client.resolve({ registry: host, repository: 'x' }, 'v1', within(3000)),
    ).rejects.toThrowWithCode('REGISTRY_UNREACHABLE', { instanceOf: RegistryError });
    await client.close();
  });
});
