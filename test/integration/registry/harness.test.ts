import { loadHarness } from '../../harness/env';
import { pushRandomImage, pushReferrer, retag } from '../../harness/images';

const harness = loadHarness();

// v2Status asks GET /v2/ and returns the status and the WWW-Authenticate challenge.
async function v2Status(host: string): Promise<{ status: number; challenge: string | null }> {
  const res = await fetch(`http://${host}/v2/`);
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

describe('test harness', () => {
  it.each([
    ['referrers (oci-registry)', harness.referrers.host, 200, null],
    ['distribution', harness.distribution.host, 200, null],
    ['basic-auth distribution', harness.basicAuth.host, 401, /^Basic realm=/],
  ])('%s answers GET /v2/', async (_name, host, status, challenge) => {
    const got = await v2Status(host);
    expect(got.status).toBe(status);
    if (challenge) expect(got.challenge).toMatch(challenge);
  });

  it('token-auth distribution challenges with Bearer and its realm', async () => {
    expect(harness.tokenAuth).toBeDefined();
    const got = await v2Status(harness.tokenAuth!.host);
    expect(got.status).toBe(401);
    expect(got.challenge).toContain(`Bearer realm="${harness.tokenAuth!.realm}"`);
  });

  it.each([
    ['referrers', () => harness.referrers.host],
    ['distribution', () => harness.distribution.host],
  ])('pushes unique images to %s and retags them', async (_name, host) => {
    const a = await pushRandomImage(host(), 'smoke/app', 'v1');
    const b = await pushRandomImage(host(), 'smoke/app', 'v2');
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.digest).not.toBe(b.digest);
    await retag(host(), 'smoke/app', a.digest, 'v2');
    const res = await fetch(`http://${host()}/v2/smoke/app/manifests/v2`, {
      method: 'HEAD',
      headers: { accept: a.mediaType },
    });
    expect(res.headers.get('docker-content-digest')).toBe(a.digest);
  });

  it('pushes to the basic-auth registry with credentials', async () => {
    const { host, username, password } = harness.basicAuth;
    const img = await pushRandomImage(host, 'smoke/private', 'v1', { username, password });
    expect(img.digest).toMatch(/^sha256:/);
    await expect(pushRandomImage(host, 'smoke/private', 'v2')).rejects.toThrow();
  });

  it('token-auth registry accepts a push through the real Bearer flow (crane)', async () => {
    const { host, username, password } = harness.tokenAuth!;
    const img = await pushRandomImage(host, 'smoke/token', 'v1', { username, password });
    expect(img.digest).toMatch(/^sha256:/);
    await expect(
      pushRandomImage(host, 'smoke/token', 'v1', { username, password: 'wrong' }),
    ).rejects.toThrow();
  });

  it('oci-registry serves the OCI referrers API', async () => {
    const host = harness.referrers.host;
    const img = await pushRandomImage(host, 'smoke/refs', 'v1');
    const ref = await pushReferrer(host, 'smoke/refs', img, 'application/vnd.example.sig');
    const res = await fetch(`http://${host}/v2/smoke/refs/referrers/${img.digest}`);
    expect(res.status).toBe(200);
    const index = (await res.json()) as { manifests: { digest: string; artifactType?: string }[] };
    expect(index.manifests.map((m) => m.digest)).toContain(ref.digest);
  });
});
