import pino from 'pino';
import {
  ANONYMOUS,
  Keychain,
  RegistryClient,
  RegistryError,
  type CredentialSource,
} from '../../../src/registry';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, pushReferrer, retag } from '../../harness/images';

const harness = loadHarness();
const requests: { registry: string; outcome: string }[] = [];
const client = new RegistryClient({
  insecureRegistries: [],
  logger: pino({ level: 'silent' }),
  userAgent: 'portcullis-test',
  onRequest: (registry, outcome) => requests.push({ registry, outcome }),
});
afterAll(() => client.close());

// ctx gives each call 30 s and the given credentials.
function ctx(credentials: CredentialSource = ANONYMOUS) {
  return { deadline: Date.now() + 30_000, credentials };
}

// login builds a keychain from a docker config JSON, as a pull secret would carry it.
function login(host: string, entry: Record<string, string>): Keychain {
  return Keychain.fromDockerConfigJson(JSON.stringify({ auths: { [host]: entry } }));
}

// basic encodes user:pass as docker config's `auth`.
function basic(username: string, password: string): Record<string, string> {
  return { auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

describe.each([
  ['oci-registry (referrers API)', () => harness.referrers.host],
  ['distribution 2.8', () => harness.distribution.host],
])('RegistryClient against %s', (_name, host) => {
  it('resolves a tag to the digest crane computed, and follows a moved tag', async () => {
    const repo = { registry: host(), repository: 'client/resolve' };
    const a = await pushRandomImage(host(), repo.repository, 'v1');
    const b = await pushRandomImage(host(), repo.repository, 'other');
    expect(await client.resolve(repo, 'v1', ctx())).toEqual({
      mediaType: a.mediaType,
      digest: a.digest,
      size: a.size,
    });
    await retag(host(), repo.repository, b.digest, 'v1');
    expect((await client.resolve(repo, 'v1', ctx())).digest).toBe(b.digest);
  });

  it('fetches a manifest by digest and by tag, and a blob it references', async () => {
    const repo = { registry: host(), repository: 'client/manifest' };
    const img = await pushRandomImage(host(), repo.repository, 'v1');
    const byDigest = await client.getManifest(repo, img.digest, ctx());
    const byTag = await client.getManifest(repo, 'v1', ctx());
    expect(byDigest.descriptor).toEqual({ mediaType: img.mediaType, digest: img.digest, size: img.size });
    expect(byTag.bytes.equals(byDigest.bytes)).toBe(true);
    const config = (byDigest.json as { config: { mediaType: string; digest: string; size: number } }).config;
    const blob = await client.getBlob(repo, config, ctx());
    expect(blob.length).toBe(config.size);
    expect(JSON.parse(blob.toString('utf8'))).toHaveProperty('rootfs');
  });

  it('says REGISTRY_NOT_FOUND for a missing tag', async () => {
    await expect(
      client.resolve({ registry: host(), repository: 'client/none' }, 'nope', ctx()),
    ).rejects.toThrowWithCode('REGISTRY_NOT_FOUND', { instanceOf: RegistryError });
  });

  it('lists referrers (API or tag fallback), filtered by artifactType on our side', async () => {
    const repo = { registry: host(), repository: 'client/refs' };
    const img = await pushRandomImage(host(), repo.repository, 'v1');
    const lonely = await pushRandomImage(host(), repo.repository, 'v2');
    const fallbackTag = host() === harness.distribution.host;
    const sig = await pushReferrer(host(), repo.repository, img, 'application/vnd.example.sig', {
      fallbackTag,
    });
    const sbom = await pushReferrer(host(), repo.repository, img, 'application/vnd.example.sbom', {
      fallbackTag,
    });
    const all = await client.listReferrers(repo, img.digest, ctx());
    expect(all.map((d) => d.digest).sort()).toEqual([sig.digest, sbom.digest].sort());
    const sigs = await client.listReferrers(repo, img.digest, ctx(), {
      artifactType: 'application/vnd.example.sig',
    });
    expect(sigs).toEqual([
      expect.objectContaining({
        digest: sig.digest,
        size: sig.size,
        artifactType: 'application/vnd.example.sig',
      }),
    ]);
    expect(await client.listReferrers(repo, lonely.digest, ctx())).toEqual([]);
  });
});

describe('RegistryClient with Basic auth (distribution htpasswd)', () => {
  const { host, username, password } = harness.basicAuth;
  const repo = { registry: host, repository: 'client/private' };
  let digest = '';
  beforeAll(async () => {
    digest = (await pushRandomImage(host, repo.repository, 'v1', { username, password })).digest;
  });

  it('resolves with the pull secret', async () => {
    expect((await client.resolve(repo, 'v1', ctx(login(host, basic(username, password))))).digest).toBe(
      digest,
    );
  });

  it.each([
    ['no credentials', ANONYMOUS, false],
    ['a wrong password', login(host, basic(username, 'wrong')), true],
  ])('fails clearly with %s', async (_name, creds, hadCredentials) => {
    await expect(client.resolve(repo, 'v1', ctx(creds))).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED', {
      instanceOf: RegistryError,
      details: { hadCredentials },
      message: [host, expect.not.stringContaining('wrong')],
    });
  });
});

describe('RegistryClient with token auth (distribution + token server)', () => {
  const t = harness.tokenAuth!;
  const repo = { registry: t.host, repository: 'client/token' };
  const stats = async (): Promise<number> =>
    ((await (await fetch(t.realm.replace(/\/token$/, '/stats'))).json()) as { tokens: number }).tokens;
  let digest = '';
  beforeAll(async () => {
    digest = (
      await pushRandomImage(t.host, repo.repository, 'v1', { username: t.username, password: t.password })
    ).digest;
  });

  it('gets a Bearer token with Basic credentials and caches it per scope', async () => {
    const creds = login(t.host, basic(t.username, t.password));
    const before = await stats();
    expect((await client.resolve(repo, 'v1', ctx(creds))).digest).toBe(digest);
    expect((await client.getManifest(repo, digest, ctx(creds))).descriptor.digest).toBe(digest);
    expect(await stats()).toBe(before + 1);
  });

  it('exchanges an identity (refresh) token with the OAuth2 POST', async () => {
    const creds = login(t.host, { identitytoken: t.refreshToken });
    expect((await client.resolve(repo, 'v1', ctx(creds))).digest).toBe(digest);
  });

  it.each([
    ['no credentials', ANONYMOUS, false],
    ['a wrong password', login(t.host, basic(t.username, 'nope')), true],
    ['a wrong identity token', login(t.host, { identitytoken: 'nope' }), true],
  ])('fails with REGISTRY_UNAUTHORIZED given %s', async (_name, creds, hadCredentials) => {
    await expect(client.resolve(repo, 'v1', ctx(creds))).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED', {
      instanceOf: RegistryError,
      details: { hadCredentials },
    });
  });

  it('reports every exchange to onRequest with its registry', () => {
    const mine = requests.filter((r) => r.registry === t.host);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.some((r) => r.outcome === '4xx')).toBe(true);
    expect(mine.some((r) => r.outcome === '2xx')).toBe(true);
  });
});
