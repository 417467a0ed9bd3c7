// Runs the vendored HPVS cases: `policy from-hpvs` output, compiled, then verified against the served trust data.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compilePolicy } from '../../../../src/policy/compile/compile';
import type { ImagePolicyObject } from '../../../../src/policy/crd/crd.types';
import { policiesFromHpvs, toPolicyYaml } from '../../../../src/convert/hpvs';
import { VerifyError } from '../../../../src/verifiers/errors';
import { notaryV1Verifier } from '../../../../src/verifiers/notary-v1/verifier';
import { CONFORMANCE_DIR } from '../conformance-registry';
import { notaryContext, notaryTarget, serveRoles } from './fixtures';
import { startTrustServer, type TrustServer } from './trust-server';

const HPVS_DIR = path.join(CONFORMANCE_DIR, 'hpvs');

interface HpvsCase {
  readonly id: string;
  readonly image: string;
  readonly expect: 'valid' | 'invalid';
  readonly reason: string;
  readonly trust: { readonly contract: string };
  readonly gun: string;
  readonly roles: Readonly<Record<string, string>>;
  readonly resolved?: { readonly digest: string; readonly size: number };
}

const EXPECTED: Readonly<Record<string, string>> = {
  'hpvs-workload-foreign-trust-data': 'VERIFY_TUF_ROOT_UNTRUSTED',
  'hpvs-workload-unsigned-tag': 'VERIFY_TAG_NOT_SIGNED',
};

const cases = JSON.parse(readFileSync(path.join(HPVS_DIR, 'cases.json'), 'utf8')) as HpvsCase[];
let server: TrustServer;
beforeAll(async () => {
  server = await startTrustServer();
});
afterAll(() => server.close());

// convert runs the conversion as the CLI does, and reads the printed YAML back.
function convert(contract: string): ImagePolicyObject[] {
  const text = readFileSync(path.join(HPVS_DIR, contract), 'utf8');
  const yaml = toPolicyYaml(policiesFromHpvs(text, { namespace: 'team-a' }), contract);
  expect(yaml).not.toMatch(/not-a-real-secret|portcullis-example|iamApiKey|not-a-real-key/);
  return parseAllDocuments(yaml).map((d) => d.toJS() as ImagePolicyObject);
}

describe.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
  test(`${c.expect}: ${c.reason}`, async () => {
    const [policy] = convert(c.trust.contract);
    const dct = policy?.spec.authorities[0]?.notaryV1;
    expect(dct?.server).toBe('https://notary.docker.io');
    expect(policy?.spec.images).toEqual([{ glob: c.gun }]);
    // Serve the trust data from a loopback endpoint in place of the contract's notary URL.
    if (dct) dct.server = server.url;
    const compiled = compilePolicy(policy, { secrets: { get: () => undefined } });
    const authority = compiled.authorities[0];
    if (authority?.kind !== 'notaryV1') throw new Error('expected a notaryV1 authority');
    serveRoles(server, HPVS_DIR, c.gun, c.roles);
    const run = notaryV1Verifier.verify(notaryTarget(c.image, c.resolved), authority, notaryContext());
    if (c.expect === 'valid') {
      await expect(run).resolves.toMatchObject({ scheme: 'notaryV1', authority: 'hpvs-dct' });
    } else {
      await expect(run).rejects.toThrowWithCode(EXPECTED[c.id] ?? '(no expected code)', {
        instanceOf: VerifyError,
      });
    }
  });
});
