import { createHash } from 'node:crypto';
import { Keychain, OCI_MANIFEST, RegistryError, type CredentialSource } from '../../../src/registry';
import { adversary, testClient, within, type Adversary } from './adversary';

const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }),
);
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const servers: Adversary[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// tokenRegistry is a registry that accepts `Bearer <token>` for tokens its token server issued and not revoked.
async function tokenRegistry(tokenAnswer: (n: number) => { status: number; body: unknown }) {
  const valid = new Set<string>();
  const tokens = await adversary((_req, res, n) => {
    const { status, body } = tokenAnswer(n);
    const token = (body as { token?: string } | undefined)?.token;
    if (status === 200 && token !== undefined) valid.add(token);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const registry = await adversary((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (!valid.has(auth.replace(/^Bearer /, '')) && auth !== 'Bearer static-token') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="svc"` });
      return void res.end();
    }
    res.writeHead(200, {
      'content-type': OCI_MANIFEST,
      'docker-content-digest': DIGEST,
      'content-length': MANIFEST.length,
    });
    res.end(MANIFEST);
  });
  servers.push(tokens, registry);
  return { tokens, registry, revokeAll: () => valid.clear() };
}

// creds builds a keychain for one host.
function creds(host: string, entry: Record<string, string>): CredentialSource {
  return Keychain.fromDockerConfigJson(JSON.stringify({ auths: { [host]: entry } }));
}

describe('Bearer token flow', () => {
  it('caches a token per credential and sends service and scope', async () => {
    const { tokens, registry } = await tokenRegistry((n) => ({
      status: 200,
      body: { token: `t${n}`, expires_in: 300 },
    }));
    const { client } = testClient();
    const repo = { registry: registry.host, repository: 'team/app' };
    const alice = creds(registry.host, { username: 'alice', password: 'a' });
    await client.resolve(repo, 'v1', within(5000, alice));
    await client.resolve(repo, 'v1', within(5000, alice));
    expect(tokens.requests).toHaveLength(1);
    const url = new URL(tokens.requests[0]!.url, 'http://x');
    expect(url.searchParams.get('service')).toBe('svc');
    expect(url.searchParams.get('scope')).toBe('repository:team/app:pull');
    expect(tokens.requests[0]!.authorization).toBe(`Basic ${Buffer.from('alice:a').toString('base64')}`);
    await client.resolve(repo, 'v1', within(5000, creds(registry.host, { username: 'bob', password: 'b' })));
    expect(tokens.requests).toHaveLength(2); // bob never rides on alice's token
    await client.close();
  });

  it('does not cache a token that expires within the safety margin', async () => {
    const { tokens, registry } = await tokenRegistry((n) => ({
      status: 200,
      body: { access_token: `t${n}`, token: `t${n}`, expires_in: 5 },
    }));
    const { client } = testClient();
    const repo = { registry: registry.host, repository: 'app' };
    await client.resolve(repo, 'v1', within(5000));
    await client.resolve(repo, 'v1', within(5000));
    expect(tokens.requests).toHaveLength(2);
    await client.close();
  });

  it('gets a new token when the registry refuses the cached one', async () => {
    const { tokens, registry, revokeAll } = await tokenRegistry((n) => ({
      status: 200,
      body: { token: `t${n}` },
    }));
    const { client } = testClient();
    const repo = { registry: registry.host, repository: 'app' };
    await client.resolve(repo, 'v1', within(5000));
    revokeAll();
    expect((await client.resolve(repo, 'v1', within(5000))).digest).toBe(DIGEST);
    expect(tokens.requests).toHaveLength(2);
    await client.close();
  });

  it('sends a registrytoken as is, without asking the token server', async () => {
    const { tokens, registry } = await tokenRegistry(() => ({ status: 500, body: {} }));
    const { client } = testClient();
    const got = await client.resolve(
      { registry: registry.host, repository: 'app' },
      'v1',
      within(5000, creds(registry.host, { registrytoken: 'static-token' })),
    );
    expect(got.digest).toBe(DIGEST);
    expect(tokens.requests).toHaveLength(0);
    await client.close();
  });

  it.each([
    ['a token server error', { status: 500, body: {} }, 'REGISTRY_BAD_RESPONSE'],
    ['a token server refusal', { status: 401, body: {} }, 'REGISTRY_UNAUTHORIZED'],
    ['a token response without a token', { status: 200, body: { nope: 1 } }, 'REGISTRY_BAD_RESPONSE'],
  ])('fails on %s', async (_name, answer, code) => {
    const { registry } = await tokenRegistry(() => answer);
    const { client } = testClient();
    await expect(
      client.resolve({ registry: registry.host, repository: 'app' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode(code, { instanceOf: RegistryError });
    await client.close();
  });
});

describe('other challenges', () => {
  it('sends Basic credentials up front once the registry is known to want them', async () => {
    const registry = await adversary((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return void res.end();
      }
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': DIGEST,
        'content-length': MANIFEST.length,
      });
      res.end(MANIFEST);
    });
    servers.push(registry);
    const { client } = testClient();
    const repo = { registry: registry.host, repository: 'app' };
    const c = creds(registry.host, { username: 'u', password: 'p' });
    await client.resolve(repo, 'v1', within(5000, c));
    await client.resolve(repo, 'v1', within(5000, c));
    expect(registry.requests).toHaveLength(3);
    await client.close();
  });

  it('refuses an unsupported scheme with REGISTRY_UNAUTHORIZED', async () => {
    const registry = await adversary((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Negotiate' });
      res.end();
    });
    servers.push(registry);
    const { client } = testClient();
    await expect(
      client.resolve({ registry: registry.host, repository: 'app' }, 'v1', within(5000)),
    ).rejects.toThrowWithCode('REGISTRY_UNAUTHORIZED', { instanceOf: RegistryError, message: 'negotiate' });
    await client.close();
  });
});
