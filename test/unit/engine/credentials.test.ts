import { CredentialsBuilder } from '../../../src/engine/credentials';
import { fakePolicy } from '../policy/helpers';

const config = (host: string, user: string, pass: string): string =>
  JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } });

describe('CredentialsBuilder', () => {
  const builder = new CredentialsBuilder();

  it('tries the pod secrets before the policy credentials', () => {
    const policy = fakePolicy({
      registry: { credentials: [config('r.example', 'policy', 'p2')], onError: 'deny', maxStalenessMs: 0 },
    });
    const creds = builder.forRequest([config('r.example', 'pod', 'p1')], [policy]);
    expect(creds.source.lookup('r.example')).toMatchObject({ username: 'pod', password: 'p1' });
    const policyOnly = builder.forRequest([], [policy]);
    expect(policyOnly.source.lookup('r.example')).toMatchObject({ username: 'policy' });
  });

  it('gives equal credentials equal keys, different ones different keys, and never puts a secret in the key', () => {
    const a = builder.forRequest([config('r.example', 'u', 'secret-1')], []);
    const b = builder.forRequest([config('r.example', 'u', 'secret-1')], []);
    const c = builder.forRequest([config('r.example', 'u', 'secret-2')], []);
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
    expect(a.key).not.toContain('secret');
  });

  it('fails with a registry error code on a malformed pull secret', () => {
    expect(() => builder.forRequest(['{not json'], [])).toThrowWithCode('REGISTRY_CREDENTIALS_INVALID');
  });
});
