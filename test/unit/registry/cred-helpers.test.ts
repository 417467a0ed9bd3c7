import {
  CredentialHelpers,
  fromOperatorDockerConfig,
  type HelperRunner,
} from '../../../src/registry/cred-helpers';
import { serverUrlFor } from '../../../src/registry/cred-helpers/config';
import type { HelperRun } from '../../../src/registry/cred-helpers/run';
import { RegistryError } from '../../../src/registry/errors';
import { CRED_HELPER_CACHE_TTL_MS, CRED_HELPER_TIMEOUT_MS } from '../../../src/registry/limits';
import type { Credential } from '../../../src/registry/registry.types';

// counting records each run and answers with what `answer` says for it.
function counting(answer: (run: HelperRun) => Promise<Credential | undefined>) {
  const runs: HelperRun[] = [];
  const run: HelperRunner = (r) => {
    runs.push(r);
    return answer(r);
  };
  return { run, runs };
}

const named = (r: HelperRun) => Promise.resolve({ username: r.helper, password: 's3cret' });

describe('docker config credHelpers and credsStore', () => {
  const config = {
    auths: { 'inline.example': { auth: Buffer.from('inline:pw').toString('base64') } },
    credHelpers: { 'https://ECR.example:5000/v2/': 'ecr-login', 'index.docker.io': 'hub' },
    credsStore: 'desktop',
  };

  it.each([
    ['ecr.example:5000', 'ecr-login', 'ecr.example:5000'],
    ['docker.io', 'hub', 'https://index.docker.io/v1/'],
    ['inline.example', 'desktop', 'inline.example'], // credsStore wins over auths, as in the docker CLI
    ['other.example', 'desktop', 'other.example'],
  ])('routes %s to docker-credential-%s with %s on stdin', async (registry, helper, serverUrl) => {
    const c = counting(named);
    const source = fromOperatorDockerConfig(JSON.stringify(config), new CredentialHelpers({ run: c.run }));
    expect(await source.lookup(registry)).toMatchObject({ username: helper });
    expect(c.runs).toMatchObject([{ helper, serverUrl, registry }]);
  });

  it('answers from auths when no helper is named for the host', async () => {
    const c = counting(named);
    const { credsStore: _unused, ...noStore } = config;
    const source = fromOperatorDockerConfig(JSON.stringify(noStore), new CredentialHelpers({ run: c.run }));
    expect(await source.lookup('inline.example')).toMatchObject({ username: 'inline', password: 'pw' });
    expect(await source.lookup('other.example')).toBeUndefined();
    expect(c.runs).toEqual([]);
  });

  it.each([
    [{ credHelpers: { 'r.example': '/usr/bin/evil' } }, 'credHelpers entry for r.example "/usr/bin/evil"'],
    [{ credHelpers: { 'r.example': 'a/b' } }, 'no path separators'],
    [{ credHelpers: { 'r.example': '..' } }, 'not a helper name'],
    [{ credHelpers: { 'r.example': 'ecr login' } }, 'not a helper name'],
    [{ credHelpers: { 'r.example': 7 } }, 'credHelpers entry for r.example is not'],
    [{ credHelpers: ['ecr-login'] }, '"credHelpers" is not an object'],
    [{ credsStore: '$(reboot)' }, 'the credsStore'],
  ])('refuses %j', (cfg, message) => {
    expect(() => fromOperatorDockerConfig(JSON.stringify(cfg), new CredentialHelpers())).toThrowWithCode(
      'REGISTRY_CREDENTIALS_INVALID',
      { instanceOf: RegistryError, message },
    );
  });

  it('sends Docker Hub as its legacy index URL, like docker login does', () => {
    expect(serverUrlFor('registry-1.docker.io')).toBe('https://index.docker.io/v1/');
    expect(serverUrlFor('ghcr.io')).toBe('ghcr.io');
  });
});

describe('CredentialHelpers', () => {
  it('reuses an answer (and "not found") for the TTL, per helper and registry, then runs again', async () => {
    let now = 1_000_000;
    const c = counting((r) => Promise.resolve(r.registry === 'none.example' ? undefined : { password: 'x' }));
    const helpers = new CredentialHelpers({ run: c.run, now: () => now });
    await Promise.all([helpers.get('h', 'a.example', undefined), helpers.get('h', 'a.example', undefined)]);
    await helpers.get('h', 'none.example', undefined);
    await helpers.get('h', 'none.example', undefined);
    await helpers.get('other', 'a.example', undefined);
    expect(c.runs.map((r) => `${r.helper} ${r.registry}`)).toEqual([
      'h a.example',
      'h none.example',
      'other a.example',
    ]);
    now += CRED_HELPER_CACHE_TTL_MS;
    await helpers.get('h', 'a.example', undefined);
    expect(c.runs).toHaveLength(4);
  });

  it('does not keep a failure: the next lookup runs the helper again', async () => {
    let fail = true;
    const c = counting(() =>
      fail
        ? Promise.reject(new RegistryError('REGISTRY_CREDENTIAL_HELPER_FAILED', 'boom'))
        : Promise.resolve({ password: 'x' }),
    );
    const helpers = new CredentialHelpers({ run: c.run });
    await expect(helpers.get('h', 'a.example', undefined)).rejects.toThrowWithCode(
      'REGISTRY_CREDENTIAL_HELPER_FAILED',
    );
    fail = false;
    await expect(helpers.get('h', 'a.example', undefined)).resolves.toEqual({ password: 'x' });
    expect(c.runs).toHaveLength(2);
  });

  it('gives the helper what is left of the deadline, at most CRED_HELPER_TIMEOUT_MS, and none when it passed', async () => {
    const now = 5_000_000;
    const c = counting(named);
    const helpers = new CredentialHelpers({ run: c.run, now: () => now });
    await helpers.get('h', 'a.example', { deadline: now + 1234 });
    await helpers.get('h', 'b.example', { deadline: now + 10 * CRED_HELPER_TIMEOUT_MS });
    expect(c.runs.map((r) => r.timeoutMs)).toEqual([1234, CRED_HELPER_TIMEOUT_MS]);
    await expect(helpers.get('h', 'c.example', { deadline: now })).rejects.toThrowWithCode(
      'REGISTRY_TIMEOUT',
      { message: 'docker-credential-h for c.example' },
    );
  });
});
