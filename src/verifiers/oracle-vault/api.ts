import { ArtifactsClient, models, requests } from 'oci-artifacts';
import type { ClientConfiguration, HttpClient } from 'oci-common';
import { KmsManagementClient } from 'oci-keymanagement';
import { registryError } from '../../registry/errors';
import { toOciApiError, type OciApiWhere } from './api-errors';
import { MAX_OCI_SIGNATURE_PAGES, MAX_OCI_SIGNATURES, OCI_SIGNATURES_PAGE_SIZE } from './limits';

/** What to list: the filters of ListContainerImageSignatures that pin one image. */
export interface SignatureQuery {
  readonly compartmentId: string;
  readonly repositoryName: string;
  readonly imageDigest: string;
}

/** One page of signature summaries as the API returned them (attacker-controlled shapes: check each field). */
export interface SignaturePage {
  readonly items: readonly unknown[];
  /** True on the last page we read when more pages or signatures existed than our limits allow. */
  readonly truncated: boolean;
}

// clientConfiguration: the per-call retry policy, and no SDK circuit breaker (state shared across requests).
function clientConfiguration(retry: ClientConfiguration['retryConfiguration']): ClientConfiguration {
  return {
    ...(retry ? { retryConfiguration: retry } : {}),
    circuitBreaker: { noCircuit: true, circuit: null } as unknown as ClientConfiguration['circuitBreaker'],
  };
}

/**
 * Lists an image's signatures with the SDK's ArtifactsClient.listContainerImageSignatures, newest first,
 * following `opc-next-page` page by page (so that a caller can stop at the first good one), at most
 * MAX_OCI_SIGNATURE_PAGES pages and MAX_OCI_SIGNATURES signatures. API failures become RegistryErrors.
 */
export async function* listSignaturePages(
  http: HttpClient,
  target: { readonly region: string; readonly endpoint: string | undefined },
  query: SignatureQuery,
  retry: ClientConfiguration['retryConfiguration'],
): AsyncGenerator<SignaturePage> {
  const client = new ArtifactsClient({ httpClient: http }, clientConfiguration(retry));
  client.regionId = target.region;
  if (target.endpoint !== undefined) client.endpoint = target.endpoint;
  const where: OciApiWhere = {
    service: 'Artifacts API',
    endpoint: client.endpoint,
    what: `signatures of ${query.repositoryName}@${query.imageDigest}`,
  };
  let page: string | undefined;
  let seen = 0;
  for (let n = 1; n <= MAX_OCI_SIGNATURE_PAGES; n++) {
    let items: unknown;
    let next: string | undefined;
    try {
      const response = await client.listContainerImageSignatures({
        ...query,
        limit: OCI_SIGNATURES_PAGE_SIZE,
        sortBy: requests.ListContainerImageSignaturesRequest.SortBy.Timecreated,
        sortOrder: requests.ListContainerImageSignaturesRequest.SortOrder.Desc,
        ...(page !== undefined ? { page } : {}),
      });
      items = (
        response.containerImageSignatureCollection as Partial<models.ContainerImageSignatureCollection>
      )?.items;
      next = response.opcNextPage ?? undefined;
    } catch (error) {
      throw toOciApiError(error, where);
    }
    if (!Array.isArray(items)) {
      throw registryError(
        'REGISTRY_BAD_RESPONSE',
        { registry: new URL(where.endpoint).host },
        `OCI Artifacts API ${where.endpoint} (${where.what}) answered a page without an "items" list`,
      );
    }
    const kept = items.slice(0, Math.max(0, MAX_OCI_SIGNATURES - seen));
    seen += kept.length;
    const more = next !== undefined && next !== '';
    const truncated = kept.length < items.length || (more && n === MAX_OCI_SIGNATURE_PAGES);
    yield { items: kept, truncated };
    if (!more || truncated) return;
    page = next;
  }
}

/** The key version as GetKeyVersion returned it; `publicKey` is PEM for asymmetric keys. */
export interface FetchedKeyVersion {
  readonly publicKey: string;
  readonly lifecycleState?: string;
}

/**
 * Fetches a key version's public key with the SDK's KmsManagementClient.getKeyVersion (vault-specific
 * management endpoint). Checks the answer is for the key and version asked. API failures become RegistryErrors.
 */
export async function fetchKeyVersion(
  http: HttpClient,
  endpoint: string,
  keyId: string,
  keyVersionId: string,
  retry: ClientConfiguration['retryConfiguration'],
): Promise<FetchedKeyVersion> {
  const client = new KmsManagementClient({ httpClient: http }, clientConfiguration(retry));
  client.endpoint = endpoint;
  const where: OciApiWhere = {
    service: 'Vault KMS management API',
    endpoint,
    what: `public key of ${keyVersionId}`,
  };
  let version: unknown;
  try {
    version = (await client.getKeyVersion({ keyId, keyVersionId })).keyVersion;
  } catch (error) {
    throw toOciApiError(error, where);
  }
  const v = (version ?? {}) as Record<string, unknown>;
  if (v.keyId !== keyId || v.id !== keyVersionId || typeof v.publicKey !== 'string') {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      { registry: new URL(endpoint).host },
      `OCI ${where.service} ${endpoint} (${where.what}) answered without that key version's public key`,
    );
  }
  return {
    publicKey: v.publicKey,
    ...(typeof v.lifecycleState === 'string' ? { lifecycleState: v.lifecycleState } : {}),
  };
}
