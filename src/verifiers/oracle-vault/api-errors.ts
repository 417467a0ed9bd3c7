import { OciError } from 'oci-common';
import {
  quoteRegistryText,
  RegistryError,
  registryError,
  type RegistryErrorCode,
} from '../../registry/errors';
import { OCI_TRANSPORT_CODES } from './transport';

/** Which Oracle API failed, for messages: the service name and its base URL. */
export interface OciApiWhere {
  readonly service: 'Artifacts API' | 'Vault KMS management API';
  readonly endpoint: string;
  /** What we asked it for, e.g. `signatures of team/app@sha256:…`. */
  readonly what: string;
}

// codeForStatus maps an HTTP status of the OCI APIs to our availability / auth codes.
function codeForStatus(status: number): RegistryErrorCode {
  if (status === 401 || status === 403) return 'REGISTRY_UNAUTHORIZED';
  if (status === 404) return 'REGISTRY_NOT_FOUND';
  if (status === 429) return 'REGISTRY_RATE_LIMITED';
  if (status >= 500) return 'REGISTRY_UNREACHABLE';
  return 'REGISTRY_BAD_RESPONSE';
}

const HINTS: Partial<Record<RegistryErrorCode, string>> = {
  REGISTRY_UNAUTHORIZED:
    'check the credentials of ociVault.auth and that an IAM policy lets them read repos (Artifacts) and keys (Vault)',
  REGISTRY_NOT_FOUND: 'check ociVault.compartmentId, region, endpoints and key OCIDs',
  REGISTRY_RATE_LIMITED: 'the API throttled us; retry later',
  REGISTRY_UNREACHABLE:
    'the API is unavailable; retry later, or check ociVault.endpoint / keyManagementEndpoint',
  REGISTRY_TIMEOUT: 'the API did not answer within the admission deadline',
  REGISTRY_BAD_RESPONSE: 'the endpoint does not behave like the Oracle API; check the endpoint overrides',
};

/**
 * Wraps whatever the SDK threw (an OciError, a transport error the retrier reduced to {code, message}, or a
 * parse error) into one RegistryError naming the API, once, where it enters our code. Never includes headers.
 */
export function toOciApiError(error: unknown, where: OciApiWhere): RegistryError {
  if (error instanceof RegistryError) return error;
  let code: RegistryErrorCode = 'REGISTRY_BAD_RESPONSE';
  let text: string;
  const transport = (error as { code?: unknown } | undefined)?.code;
  if (error instanceof OciError) {
    code = codeForStatus(error.statusCode);
    text = `answered HTTP ${error.statusCode} ${quoteRegistryText(error.serviceCode)}: ${quoteRegistryText(error.message)}`;
  } else if (transport === OCI_TRANSPORT_CODES.deadline) {
    code = 'REGISTRY_TIMEOUT';
    text = String((error as { message?: unknown }).message);
  } else if (transport === OCI_TRANSPORT_CODES.unreachable) {
    code = 'REGISTRY_UNREACHABLE';
    text = String((error as { message?: unknown }).message);
  } else if (transport === OCI_TRANSPORT_CODES.tooLarge) {
    text = String((error as { message?: unknown }).message);
  } else if (transport === OCI_TRANSPORT_CODES.egress) {
    code = 'REGISTRY_EGRESS_REFUSED';
    text = `was not contacted: ${String((error as { message?: unknown }).message)}`;
  } else if (error instanceof SyntaxError) {
    text = 'answered with a body that is not JSON';
  } else {
    text = `failed: ${quoteRegistryText(error instanceof Error ? error.message : String(error))}`;
  }
  const message = `OCI ${where.service} ${where.endpoint} (${where.what}) ${text}; ${HINTS[code] ?? ''}`;
  return registryError(code, { registry: hostOf(where.endpoint) }, message.replace(/; $/, ''), {
    cause: error,
    details: { api: where.service, endpoint: where.endpoint },
  });
}

// hostOf names the API host for details and metrics.
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
