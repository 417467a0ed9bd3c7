// Test helper for the keyless cosign tests: compile an authority through the real policy compiler with a
// harness TrustedRoot inline, and run the cosign verifier on a pushed image, optionally at another time.
import { compilePolicy } from '../../../src/policy/compile/compile';
import type { CompiledCosignAuthority } from '../../../src/policy/compile/compiled.types';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { cosignVerifier } from '../../../src/verifiers/cosign/verifier';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import type { PushedImage } from '../../harness/images';
import { resolveForVerifier } from './registry-reader';

/** Compiles one cosign authority named `signer`, as a ClusterImagePolicy for every image would hold it. */
export function cosignAuthority(cosign: Record<string, unknown>): CompiledCosignAuthority {
  const policy = compilePolicy(
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'ClusterImagePolicy',
      metadata: { name: 'keyless', generation: 1 },
      spec: { images: [{ glob: '**' }], authorities: [{ name: 'signer', cosign }] },
    },
    { secrets: { get: () => undefined } },
  );
  const [compiled] = policy.authorities;
  if (compiled?.kind !== 'cosign') throw new Error('expected a cosign authority');
  return compiled;
}

/** A policy `keyless` block: these identities, under `trustedRoot` given inline. */
export function keylessBlock(
  trustedRoot: Record<string, unknown>,
  identities: Record<string, unknown>[],
): Record<string, unknown> {
  return { identities, trustedRoot: { data: JSON.stringify(trustedRoot) } };
}

/** Runs the cosign verifier on a pushed image, by digest; `now` is the verifier's clock (default: real). */
export async function verifyPushed(
  reader: RegistryReader,
  image: PushedImage,
  authority: CompiledCosignAuthority,
  now?: Date,
): Promise<Evidence> {
  const [host = '', ...path] = image.ref.split('@')[0]?.split('/') ?? [];
  const { target, ctx } = await resolveForVerifier(reader, host, path.join('/'), image.digest);
  return cosignVerifier.verify(target, authority, now === undefined ? ctx : { ...ctx, now: () => now });
}
