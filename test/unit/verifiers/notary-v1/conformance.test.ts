// Runs every Notary v1 case of the vendored conformance set: trust data served by a loopback HTTP server, read
// by the real registry client, verified by notaryV1Verifier (chain) or by the chain functions (root, role).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CompiledNotaryV1Authority } from '../../../../src/policy/compile/compiled.types';
import type { FieldError } from '../../../../src/policy/errors';
import { compileNotaryV1Authority } from '../../../../src/policy/authorities/notary-v1';
import { VerifyError } from '../../../../src/verifiers/errors';
import { notaryV1Verifier } from '../../../../src/verifiers/notary-v1/verifier';
import { verifyNotExpired, verifyRoot, verifyThreshold } from '../../../../src/verifiers/notary-v1/chain';
import { parseEnvelope, toRootRole, toTargetsRole } from '../../../../src/verifiers/notary-v1/metadata';
import {
  loadNotaryCases,
  NOTARY_DIR,
  notaryContext,
  notaryTarget,
  servedBytes,
  serveRoles,
  type NotaryCase,
} from './fixtures';
import { startTrustServer, type TrustServer } from './trust-server';

/** For invalid cases: the code the verifier must report (the case's `reason`), and codes for `alsoAcceptable`. */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'nv1-never-expire-tag-repushed': ['VERIFY_DIGEST_MISMATCH'],
  'nv1-never-expire-unsigned-tag': ['VERIFY_TAG_NOT_SIGNED'],
  'nv1-never-expire-wrong-root-key': ['VERIFY_TUF_ROOT_UNTRUSTED'],
  'nv1-never-expire-required-delegation-absent': ['VERIFY_DELEGATION_MISSING'],
  'nv1-root-expired': ['VERIFY_TUF_EXPIRED'],
  'nv1-root-no-signatures': ['VERIFY_TUF_ROOT_UNTRUSTED'],
  'nv1-targets-invalid-signature': ['VERIFY_TUF_THRESHOLD'],
  'nv1-delegation-invalid-signature': ['VERIFY_TUF_THRESHOLD'],
  'nv1-delegation-expired': ['VERIFY_TUF_EXPIRED'],
  'nv1-required-delegations-not-all-signed': ['VERIFY_DELEGATION_MISSING', 'VERIFY_TUF_HASH_MISMATCH'],
  'nv1-delegation-metadata-missing': ['VERIFY_TUF_METADATA_MISSING', 'VERIFY_TUF_HASH_MISMATCH'],
  'nv1-alice-timestamp-expired': ['VERIFY_TUF_EXPIRED'],
  'nv1-sample-wrong-root-key': ['VERIFY_TUF_ROOT_UNTRUSTED'],
  'nv1-notary01-unsigned-tag': ['VERIFY_TAG_NOT_SIGNED'],
  'nv1-notary01-wrong-root': ['VERIFY_TUF_ROOT_UNTRUSTED'],
  'nv1-notary01-tag-repushed': ['VERIFY_DIGEST_MISMATCH'],
};
/** Words the message must contain, where the reason names them (which role expired, and when). */
const MESSAGE: Readonly<Record<string, RegExp>> = {
  'nv1-root-expired': /root\.json expired on 1990-01-01/,
  'nv1-delegation-expired': /targets\/del1\.json expired on 1970-08-26/,
  'nv1-alice-timestamp-expired': /timestamp\.json expired on 2019-10-24/,
  'nv1-never-expire-tag-repushed': /sha256:799c0fa8/,
};

// authorityFor compiles the case's trust into a notaryV1 authority pointing at the fixture server.
function authorityFor(c: NotaryCase, server: string): CompiledNotaryV1Authority {
  const errors: FieldError[] = [];
  const rootKeys = c.trust.rootKeys.map((f) => readFileSync(path.join(NOTARY_DIR, f), 'utf8'));
  const a = compileNotaryV1Authority(
    'dct',
    { server, rootKeys, ...(c.trust.delegations ? { delegations: [...c.trust.delegations] } : {}) },
    'spec.authorities[0].notaryV1',
    errors,
  );
  expect(errors).toEqual([]);
  return a;
}

// runChain verifies the image end to end through the verifier.
async function runChain(c: NotaryCase, server: TrustServer): Promise<void> {
  serveRoles(server, NOTARY_DIR, c.gun as string, c.roles);
  await notaryV1Verifier.verify(
    notaryTarget(c.image, c.resolved),
    authorityFor(c, server.url),
    notaryContext(),
  );
}

// runRole checks one role (or the root) with the keys its signer assigns, signatures and expiry only.
function runRole(c: NotaryCase): void {
  const env = (role: string) => parseEnvelope(role, servedBytes(NOTARY_DIR, c.roles[role] as string));
  const now = new Date();
  if (c.check === 'root') {
    const e = env('root');
    verifyRoot(e, toRootRole(e), authorityFor(c, 'https://notary.invalid').rootKeys, now);
    return;
  }
  const role = c.role as string;
  const signer = env(c.signer as string);
  const target = env(role);
  if (c.signer === 'root') {
    const root = toRootRole(signer);
    verifyThreshold(target, root.roles[role as 'targets'], root.keys);
    verifyNotExpired(role, toTargetsRole(target), now);
    return;
  }
  const parent = toTargetsRole(signer);
  const spec = parent.delegations.find((d) => d.name === role);
  if (spec === undefined) throw new Error(`${c.signer} does not delegate to ${role}`);
  verifyThreshold(target, spec, parent.delegationKeys);
  verifyNotExpired(role, toTargetsRole(target), now);
}

const cases = loadNotaryCases();
let server: TrustServer;
beforeAll(async () => {
  server = await startTrustServer();
});
afterAll(() => server.close());

test('the conformance set is present and every invalid case has an expected code', () => {
  expect(cases.length).toBeGreaterThanOrEqual(21);
  for (const c of cases.filter((x) => x.expect === 'invalid'))
    expect([c.id, EXPECTED[c.id]]).toEqual([c.id, expect.any(Array)]);
});

describe.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
  const run = (): Promise<void> =>
    c.check === 'chain' ? runChain(c, server) : Promise.resolve().then(() => runRole(c));
  if (c.expect === 'valid') {
    test(`verifies: ${c.reason}`, async () => {
      await expect(run()).resolves.toBeUndefined();
    });
  } else {
    test(`fails: ${c.reason}`, async () => {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VerifyError);
      const codes = EXPECTED[c.id] ?? [];
      expect(codes).toContain((error as VerifyError).code);
      const pattern = MESSAGE[c.id];
      if (pattern !== undefined && (error as VerifyError).code === codes[0]) {
        expect((error as VerifyError).message).toMatch(pattern);
      }
    });
  }
});
