// The memo of keyless bundles @sigstore/verify accepted: per trusted root, and keyed by every byte that the
// check depends on, so an altered bundle, other signed bytes or other tlog settings are checked again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import type {
  CompiledCosignAuthority,
  CompiledTrustedRoot,
} from '../../../../src/policy/compile/compiled.types';
import {
  markVerified,
  verifiedBundleKey,
  wasVerified,
} from '../../../../src/verifiers/cosign/verified-bundles';

const BUNDLE = path.join(
  __dirname,
  '../../../fixtures/conformance/cosign/sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json',
);
const json = JSON.parse(readFileSync(BUNDLE, 'utf8')) as Record<string, unknown>;
const bundle = bundleFromJSON(json);

// authority is the part of a compiled keyless authority that the key reads.
function authority(required: boolean, rekorKeyIds: string[] = []): CompiledCosignAuthority {
  return {
    tlog: { required, rekorKeys: rekorKeyIds.map((id) => ({ id })) },
  } as unknown as CompiledCosignAuthority;
}

// root is a distinct compiled root object (the memo is per object).
const root = (): CompiledTrustedRoot => ({ id: 'sha256:x', source: 'test' }) as CompiledTrustedRoot;

describe('verified keyless bundles', () => {
  const key = verifiedBundleKey(bundle, undefined, undefined, authority(true));

  it('is keyed by every byte of the bundle, the signed bytes and the tlog settings', () => {
    // Another signature value (the fixture is a message signature): a different bundle.
    const altered = structuredClone(json) as { messageSignature: { signature: string } };
    altered.messageSignature.signature = Buffer.from('other').toString('base64');
    const others = [
      verifiedBundleKey(bundleFromJSON(altered), undefined, undefined, authority(true)),
      verifiedBundleKey(bundle, Buffer.from('payload'), undefined, authority(true)),
      verifiedBundleKey(bundle, undefined, Buffer.from('layer'), authority(true)),
      verifiedBundleKey(bundle, undefined, undefined, authority(false)),
      verifiedBundleKey(bundle, undefined, undefined, authority(true, ['sha256:k'])),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
    expect(verifiedBundleKey(bundleFromJSON(json), undefined, undefined, authority(true))).toBe(key);
  });

  it('remembers a success under its root only', () => {
    const [a, b] = [root(), root()];
    expect(wasVerified(a, key)).toBe(false);
    markVerified(a, key);
    expect(wasVerified(a, key)).toBe(true);
    expect(wasVerified(b, key)).toBe(false);
  });
});
