import { DefaultRequestSigner, type RequestSigner } from 'oci-common';
import type { CompiledOciVaultAuthority } from '../../policy/compile/compiled.types';
import { toVerifyError } from '../errors';
import { logOutcome, toEvidence } from '../kit/report';
import { fetchKeyVersion, listSignaturePages } from './api';
import { toOciAuthProvider } from './auth';
import { examineOciSignature } from './examine';
import type { OciSignatureAccepted, OciSignatureRejected } from './outcome.types';
import { toOcirRegion, toOcirRepositoryName } from './regions';
import { OciPublicKeyCache, toKmsManagementEndpoint, toOciPublicKey } from './public-keys';
import { toOciVaultFailure } from './report';
import { createOciDispatcher, OciHttpClient, toRetryConfiguration, type OciCallBounds } from './transport';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from '../verifier.types';

/** I/O settings of the OCI Vault verifier, handed in by the runtime. */
export interface OciVaultVerifierOptions {
  /** Extra PEM CA certificate(s) trusted for the OCI APIs on top of the system roots (`--registry-ca`). */
  readonly ca?: string;
}

/**
 * Creates the verifier of OCIR image signatures made with OCI Vault keys (`oci artifacts container
 * image-signature sign-upload`). It lists the image's signatures with the real Artifacts SDK client, gets public
 * keys from the policy or once from KMS (GetKeyVersion, cached), verifies RSA-PSS locally and binds each message
 * to the digest, OCIR repository, region and key. One valid signature satisfies the authority.
 */
export function createOciVaultVerifier(
  options: OciVaultVerifierOptions = {},
): Verifier<CompiledOciVaultAuthority> {
  const dispatcher = createOciDispatcher(options.ca);
  const signers = new WeakMap<CompiledOciVaultAuthority, Promise<RequestSigner>>();
  const keys = new OciPublicKeyCache();

  // signerFor builds the authority's auth provider and SDK request signer once (compiled policies are immutable).
  const signerFor = (authority: CompiledOciVaultAuthority, endpoint: string): Promise<RequestSigner> => {
    let signer = signers.get(authority);
    if (!signer) {
      signer = toOciAuthProvider(authority.auth, authority.region, endpoint).then(
        (provider) => new DefaultRequestSigner(provider),
      );
      signers.set(authority, signer);
      signer.catch(() => signers.delete(authority));
    }
    return signer;
  };

  return {
    scheme: 'ociVault',
    async verify(
      target: VerifyTarget,
      authority: CompiledOciVaultAuthority,
      ctx: VerifyContext,
    ): Promise<Evidence> {
      const { repositoryName, region } = toExpectations(target, authority);
      const bounds: OciCallBounds = {
        deadline: ctx.request.deadline,
        ...(ctx.request.signal ? { signal: ctx.request.signal } : {}),
        now: () => ctx.now().getTime(),
      };
      const signer = await signerFor(authority, authority.endpoint ?? `region ${authority.region}`);
      const http = new OciHttpClient(signer, bounds, dispatcher);
      const retry = toRetryConfiguration(bounds);
      const publicKeyFor = (keyId: string, keyVersionId: string) => {
        const endpoint = authority.keyManagementEndpoint ?? toKmsManagementEndpoint(keyId, authority.region);
        if (endpoint === undefined) {
          const text = `key ${keyId} has no publicKey in the policy and its OCID names no vault: set ociVault.keyManagementEndpoint`;
          return Promise.reject(toVerifyError('VERIFY_UNSUPPORTED', target, authority.name, text));
        }
        return keys.get(`${endpoint}\0${keyId}\0${keyVersionId}`, async () => {
          const version = await fetchKeyVersion(http, endpoint, keyId, keyVersionId, retry);
          return toOciPublicKey(version.publicKey, endpoint, keyVersionId);
        });
      };
      const query = { compartmentId: authority.compartmentId, repositoryName, imageDigest: target.digest };
      const rejected: OciSignatureRejected[] = [];
      let truncated = false;
      const api = { region: authority.region, endpoint: authority.endpoint };
      for await (const page of listSignaturePages(http, api, query, retry)) {
        truncated = page.truncated;
        for (const item of page.items) {
          const x = { authority, digest: target.digest, repositoryName, region, publicKeyFor };
          const outcome = await examineOciSignature(item, x);
          const fields = outcome.ok ? { key: outcome.keyId } : { kind: outcome.kind };
          logOutcome(ctx, target, authority, 'OCI Vault', outcome, fields);
          if (outcome.ok) return toOciVaultEvidence(authority, outcome);
          rejected.push(outcome);
        }
      }
      throw toOciVaultFailure(target, authority, { rejected, truncated, repositoryName });
    },
  };
}

/** The verifier with the system's trusted CAs only. */
export const ociVaultVerifier = createOciVaultVerifier();

/**
 * What the image's signatures must name: the OCIR repository (path after the tenancy namespace), and the
 * authority's region. On an OCIR host, the host's region must also be the authority's region; on any other
 * host (a mirror, the test registry) only the policy's region is checked against the message.
 */
function toExpectations(
  target: VerifyTarget,
  authority: CompiledOciVaultAuthority,
): { repositoryName: string; region: string } {
  const repositoryName = toOcirRepositoryName(target.repo.repository);
  if (repositoryName === undefined) {
    const text = `"${target.repo.repository}" has no tenancy namespace segment: OCIR images are <region>.ocir.io/<namespace>/<repository>`;
    throw toVerifyError('VERIFY_UNSUPPORTED', target, authority.name, text);
  }
  const hostRegion = toOcirRegion(target.repo.registry);
  if (hostRegion === null || (hostRegion !== undefined && hostRegion !== authority.region)) {
    const text =
      hostRegion === null
        ? `the OCIR host ${target.repo.registry} names a region key the OCI SDK does not know; use the region id host (e.g. ${authority.region}.ocir.io)`
        : `the image is in OCIR region ${hostRegion} but this authority lists signatures in ${authority.region}; add an authority for ${hostRegion}`;
    throw toVerifyError('VERIFY_BINDING_MISMATCH', target, authority.name, text);
  }
  return { repositoryName, region: authority.region };
}

// toOciVaultEvidence says which signature verified with which key and algorithm.
function toOciVaultEvidence(authority: CompiledOciVaultAuthority, ok: OciSignatureAccepted): Evidence {
  const summary = `OCI Vault ${ok.where} (${ok.algorithm}) signed by key ${ok.keyId} version ${ok.keyVersionId}`;
  return toEvidence(authority, ok, summary, { kind: 'key', key: `${ok.keyId} version ${ok.keyVersionId}` });
}
