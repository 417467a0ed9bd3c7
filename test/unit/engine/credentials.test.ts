import { CredentialsBuilder } from '../../../src/engine/credentials';
import { CredentialHelpers, type HelperRunner } from '../../../src/registry/cred-helpers';
import type { HelperRun } from '../../../src/registry/cred-helpers/run';
import { fakePolicy } from '../policy/helpers';

const config = (host: string, user: string, pass: string): string =>
  JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } });

describe('CredentialsBuilder', () => {
  const builder = new CredentialsBuilder();

  it('tries the pod secrets before the policy credentials', async () => {
    const policy = fakePolicy({
      registry: { credentials: [config('r.example', 'policy', 'p2')], onError: 'deny', maxStalenessMs: 0 },
    });
    const creds = builder.forRequest([config('r.example', 'pod', 'p1')], [policy]);
    expect(await creds.source.lookup('r.example')).toMatchObject({ username: 'pod', password: 'p1' });
    const policyOnly = builder.forRequest([], [policy]);
    expect(await policyOnly.source.lookup('r.example')).toMatchObject({ username: 'policy' });
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

describe('CredentialsBuilder with --docker-config files', () => {
  // helpers counts the helper runs and answers with the helper's name as the username.
  function helpers(): { helpers: CredentialHelpers; runs: HelperRun[] } {
    const runs: HelperRun[] = [];
    const run: HelperRunner = (r) => {
      runs.push(r);
      return Promise.resolve({ username: r.helper, password: 'from-helper' });
    };
    return { helpers: new CredentialHelpers({ run }), runs };
  }
  const withHelper = (host: string, helper: string): string =>
    JSON.stringify({ credHelpers: { [host]: helper } });

  it('puts the operator files after the pod secrets and before the policies', async () => {
    const h = helpers();
    const policy = fakePolicy({
      registry: { credentials: [config('p.example', 'policy', 'p')], onError: 'deny', maxStalenessMs: 0 },
    });
    const b = new CredentialsBuilder(
      [withHelper('r.example', 'ops'), withHelper('p.example', 'ops')],
      h.helpers,
    );
    const creds = b.forRequest([config('r.example', 'pod', 'p1')], [policy]);
    expect(await creds.source.lookup('r.example')).toMatchObject({ username: 'pod' });
    expect(await creds.source.lookup('p.example')).toMatchObject({ username: 'ops' });
    expect(h.runs.map((r) => r.serverUrl)).toEqual(['p.example']);
  });

  it('never runs a helper named by a pull secret or a policy (tenants write those)', async () => {
    const h = helpers();
    const policy = fakePolicy({
      registry: { credentials: [withHelper('r.example', 'ecr-login')], onError: 'deny', maxStalenessMs: 0 },
    });
    const b = new CredentialsBuilder([], h.helpers);
    const creds = b.forRequest([JSON.stringify({ credsStore: 'pass' })], [policy]);
    expect(await creds.source.lookup('r.example')).toBeUndefined();
    expect(h.runs).toEqual([]);
  });

  it('refuses an operator file whose helper name is a path, when it starts', () => {
    expect(() => new CredentialsBuilder([withHelper('r.example', '../../bin/sh')])).toThrowWithCode(
      'REGISTRY_CREDENTIALS_INVALID',
      { message: ['credHelpers entry for r.example', 'no path separators'] },
    );
  });
});
