// Test helper: turns a cosign conformance case's `trust` into a real ClusterImagePolicy and compiles it with
// the policy compiler, so that the conformance run exercises the same path as a user's policy.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compilePolicy } from '../../../../src/policy/compile/compile';
import type { CompiledCosignAuthority } from '../../../../src/policy/compile/compiled.types';
import { COSIGN_DIR } from '../conformance-registry';

/** A case's trust section, as cases.json writes it (file paths relative to the cosign folder). */
export interface CaseTrust {
  readonly authorities?: readonly {
    readonly name: string;
    readonly cosign: {
      readonly key?: string;
      readonly keyless?: {
        readonly identities: readonly Record<string, string>[];
        readonly trustedRoot?: string;
        readonly fulcioRoots?: readonly string[];
      };
      readonly attestations?: readonly { name: string; predicateType: string; conditions?: string[] }[];
    };
  }[];
  readonly threshold?: number;
  readonly tlog?: { readonly required?: boolean; readonly rekorKeys?: readonly string[] };
  readonly trustedRoot?: string;
  readonly identity?: { readonly subject: string; readonly issuer: string };
  readonly key?: string;
}

// text reads a fixture file.
function text(file: string): string {
  return readFileSync(path.join(COSIGN_DIR, file), 'utf8');
}

/**
 * cases.json writes identity patterns the way cosign's --certificate-identity-regexp reads them: an
 * unanchored search. Portcullis anchors every pattern (docs/cosign.md), so the cosign meaning is `.*(?:p).*`.
 */
function cosignPattern(pattern: string): string {
  return `.*(?:${pattern}).*`;
}

// identity maps one case identity to the policy's fields.
function identity(id: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  if (id['issuer'] !== undefined) out['issuer'] = id['issuer'];
  if (id['subject'] !== undefined) out['subject'] = id['subject'];
  if (id['issuerRegExp'] !== undefined) out['issuerRegExp'] = cosignPattern(id['issuerRegExp']);
  if (id['subjectRegExp'] !== undefined) out['subjectRegExp'] = cosignPattern(id['subjectRegExp']);
  return out;
}

/**
 * Compiles the case's authorities into one ClusterImagePolicy. `keyless.fulcioRoots` are the same
 * public-good CA as the TrustedRoot they come with (README), so the TrustedRoot alone is used.
 */
export function compileCaseAuthorities(trust: CaseTrust): CompiledCosignAuthority[] {
  const tlog = {
    ...(trust.tlog?.required !== undefined ? { required: trust.tlog.required } : {}),
    ...(trust.tlog?.rekorKeys ? { rekorKeys: trust.tlog.rekorKeys.map(text) } : {}),
  };
  const authorities = (trust.authorities ?? []).map((a) => ({
    name: a.name,
    cosign: {
      ...(a.cosign.key !== undefined ? { key: { data: text(a.cosign.key) } } : {}),
      ...(a.cosign.keyless !== undefined
        ? {
            keyless: {
              identities: a.cosign.keyless.identities.map(identity),
              ...(a.cosign.keyless.trustedRoot !== undefined
                ? { trustedRoot: { data: text(a.cosign.keyless.trustedRoot) } }
                : {}),
            },
          }
        : {}),
      ...(a.cosign.attestations !== undefined ? { attestations: a.cosign.attestations } : {}),
      ...(Object.keys(tlog).length > 0 ? { tlog } : {}),
    },
  }));
  return compileAuthorities(authorities, trust.threshold);
}

/** Compiles the single authority of a blob case: a key (its log required), or an exact identity. */
export function compileBlobAuthority(trust: CaseTrust): CompiledCosignAuthority {
  const root = trust.trustedRoot !== undefined ? { trustedRoot: { data: text(trust.trustedRoot) } } : {};
  const cosign =
    trust.key !== undefined
      ? { key: { data: text(trust.key) }, tlog: { required: true } }
      : { keyless: { identities: [{ ...trust.identity }], ...root } };
  const [authority] = compileAuthorities([{ name: 'blob', cosign }], 1);
  return authority as CompiledCosignAuthority;
}

/** Compiles a key authority from PEM text, with the transparency log required and these Rekor key files. */
export function compileKeyAuthority(
  keyPem: string,
  rekorKeyFiles: readonly string[],
): CompiledCosignAuthority {
  const tlog = {
    required: true,
    ...(rekorKeyFiles.length > 0 ? { rekorKeys: rekorKeyFiles.map(text) } : {}),
  };
  const [authority] = compileAuthorities([{ name: 'key', cosign: { key: { data: keyPem }, tlog } }], 1);
  return authority as CompiledCosignAuthority;
}

// compileAuthorities runs the real compiler over a policy holding these authorities.
function compileAuthorities(authorities: unknown[], threshold = 1): CompiledCosignAuthority[] {
  const policy = compilePolicy(
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'ClusterImagePolicy',
      metadata: { name: 'conformance' },
      spec: { images: [{ glob: '**' }], threshold, authorities },
    },
    { secrets: { get: () => undefined } },
  );
  return policy.authorities as CompiledCosignAuthority[];
}
