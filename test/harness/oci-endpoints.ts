import {
  constants,
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { throwawayCert } from './tls';

/** The API key the stand-in accepts (as an OCI API-key Secret holds it). */
export interface TestApiKey {
  readonly tenancy: string;
  readonly user: string;
  readonly fingerprint: string;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
}

/** One stored signature: the summary the API returns, and the real image attributes the API filters on. */
export interface StoredSignature {
  readonly summary: Record<string, unknown>;
  readonly compartmentId: string;
  readonly imageDigest: string;
  readonly repositoryName: string;
}

/** What the stand-in saw: every request, and whether its OCI HTTP signature verified. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly signed: boolean;
}

/**
 * A loopback HTTPS stand-in for the two Oracle endpoints Portcullis calls: Artifacts
 * ListContainerImageSignatures and KMS management GetKeyVersion, in the real APIs' JSON shapes. It refuses
 * (401) any request whose `authorization: Signature …` header does not verify against the test API key.
 */
export interface OciStandIn {
  /** `https://127.0.0.1:PORT`: both the Artifacts and the KMS management endpoint. */
  readonly url: string;
  /** The self-signed server certificate (PEM), to trust as a CA. */
  readonly ca: string;
  readonly apiKey: TestApiKey;
  readonly signatures: StoredSignature[];
  /** keyVersionId → key id and public key served by GetKeyVersion. */
  readonly keyVersions: Map<string, { keyId: string; publicKey: KeyObject }>;
  readonly requests: SeenRequest[];
  /** Items per page (the API's page size; the request's `limit` may lower it). */
  pageSize: number;
  /** When set, every request gets this: an HTTP status with an OCI error body, hanging, or a body. */
  fault?: { status: number } | { hang: true } | { body: string };
  /** When true, every page says there is a next page (a runaway pagination). */
  endlessPages?: boolean;
  close(): Promise<void>;
}

/** A fresh API key: tenancy/user OCIDs and the MD5 fingerprint of the public key, as OCI computes it. */
export function makeTestApiKey(): TestApiKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const fingerprint = createHash('md5').update(der).digest('hex').match(/../g)?.join(':') ?? '';
  return {
    tenancy: `ocid1.tenancy.oc1..aaaa${randomUUID().replace(/-/g, '')}`,
    user: `ocid1.user.oc1..aaaa${randomUUID().replace(/-/g, '')}`,
    fingerprint,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

// verifyOciSignature checks the draft-cavage HTTP signature the OCI SDK adds (headers x-date, (request-target), host).
function verifyOciSignature(req: IncomingMessage, key: TestApiKey): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Signature ')) return false;
  const params = new Map<string, string>();
  for (const m of header.slice('Signature '.length).matchAll(/(\w+)="([^"]*)"/g))
    params.set(m[1] ?? '', m[2] ?? '');
  if (params.get('version') !== '1' || params.get('algorithm') !== 'rsa-sha256') return false;
  if (params.get('keyId') !== `${key.tenancy}/${key.user}/${key.fingerprint}`) return false;
  const names = (params.get('headers') ?? '').split(' ');
  if (!['x-date', '(request-target)', 'host'].every((h) => names.includes(h))) return false;
  const lines = names.map((h) =>
    h === '(request-target)'
      ? `(request-target): ${(req.method ?? '').toLowerCase()} ${req.url ?? ''}`
      : `${h}: ${String(req.headers[h] ?? '')}`,
  );
  const signature = Buffer.from(params.get('signature') ?? '', 'base64');
  return verify('sha256', Buffer.from(lines.join('\n')), key.publicKey, signature);
}

// sendJson answers with JSON and the opc-request-id header the real APIs send.
function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'opc-request-id': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

// listSignatures answers ListContainerImageSignatures: filters, then pages with an opaque opc-next-page token.
function listSignatures(standIn: OciStandIn, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const compartmentId = q.get('compartmentId');
  if (!compartmentId) {
    sendJson(res, 400, { code: 'MissingParameter', message: 'compartmentId is required' });
    return;
  }
  const matches = standIn.signatures.filter(
    (s) =>
      s.compartmentId === compartmentId &&
      (!q.get('imageDigest') || s.imageDigest === q.get('imageDigest')) &&
      (!q.get('repositoryName') || s.repositoryName === q.get('repositoryName')),
  );
  const offset = Number(/^p(\d+)$/.exec(q.get('page') ?? 'p0')?.[1] ?? 0);
  const size = Math.min(standIn.pageSize, Number(q.get('limit') ?? standIn.pageSize));
  const items = matches.slice(offset, offset + size).map((s) => s.summary);
  const nextOffset = offset + size;
  const more = standIn.endlessPages === true || nextOffset < matches.length;
  sendJson(
    res,
    200,
    { items, remainingItemsCount: Math.max(0, matches.length - nextOffset) },
    more ? { 'opc-next-page': `p${nextOffset}` } : {},
  );
}

// getKeyVersion answers GetKeyVersion with the key version's public key (PEM).
function getKeyVersion(standIn: OciStandIn, keyId: string, versionId: string, res: ServerResponse): void {
  const version = standIn.keyVersions.get(versionId);
  if (!version || version.keyId !== keyId) {
    sendJson(res, 404, { code: 'NotAuthorizedOrNotFound', message: 'key version not found' });
    return;
  }
  sendJson(res, 200, {
    compartmentId: 'ocid1.compartment.oc1..test',
    id: versionId,
    keyId,
    publicKey: version.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    lifecycleState: 'ENABLED',
    origin: 'INTERNAL',
    timeCreated: new Date().toISOString(),
    vaultId: 'ocid1.vault.oc1.ap-tokyo-1.test.aaaa',
  });
}

/** Starts the stand-in on an ephemeral loopback port. */
export async function startOciStandIn(): Promise<OciStandIn> {
  const { cert, key } = throwawayCert('oci-stand-in');
  const apiKey = makeTestApiKey();
  const standIn: OciStandIn = {
    url: '',
    ca: cert,
    apiKey,
    signatures: [],
    keyVersions: new Map(),
    requests: [],
    pageSize: 50,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer({ cert, key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const signed = verifyOciSignature(req, apiKey);
    standIn.requests.push({ method: req.method ?? '', path: url.pathname, signed });
    const fault = standIn.fault;
    if (fault && 'hang' in fault) return; // never answers
    if (fault && 'status' in fault) {
      sendJson(res, fault.status, { code: 'InjectedFault', message: `injected HTTP ${fault.status}` });
      return;
    }
    if (fault && 'body' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);
      return;
    }
    if (!signed) {
      sendJson(res, 401, {
        code: 'NotAuthenticated',
        message: 'The required information to complete authentication was not provided or was incorrect.',
      });
      return;
    }
    const keyVersion = /^\/20180608\/keys\/([^/]+)\/keyVersions\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/20160918/container/imageSignatures')
      listSignatures(standIn, url, res);
    else if (req.method === 'GET' && keyVersion)
      getKeyVersion(
        standIn,
        decodeURIComponent(keyVersion[1] ?? ''),
        decodeURIComponent(keyVersion[2] ?? ''),
        res,
      );
    else sendJson(res, 404, { code: 'NotFound', message: `no route ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (standIn as { url: string }).url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}

/** The fields of an OCIR image signature message, as `sign-upload` fills them. */
export interface OciMessageFields {
  readonly description?: string;
  readonly imageDigest: string;
  readonly kmsKeyId: string;
  readonly kmsKeyVersionId: string;
  readonly metadata?: string;
  readonly region: string;
  readonly repositoryName: string;
  readonly signingAlgorithm: string;
}

const HASH_OF: Record<string, string> = {
  SHA_224_RSA_PKCS_PSS: 'sha224',
  SHA_256_RSA_PKCS_PSS: 'sha256',
  SHA_384_RSA_PKCS_PSS: 'sha384',
  SHA_512_RSA_PKCS_PSS: 'sha512',
};

/**
 * Plays the signer exactly as `oci artifacts container image-signature sign-upload` does
 * (oracle/oci-cli, services/artifacts/src/oci_cli_artifacts/artifacts_cli_extended.py,
 * sign_and_upload_container_image_signature_metadata): the eight keys in that order as compact JSON
 * (Python's json.dumps with separators (',', ':')), base64-encoded, and KMS Sign with messageType RAW, i.e.
 * RSA-PSS over the decoded JSON bytes (here with a local RSA key standing in for the Vault key).
 */
export function signLikeOciCli(
  privateKey: KeyObject,
  fields: OciMessageFields,
): { message: string; signature: string } {
  const json = JSON.stringify({
    description: fields.description ?? '',
    imageDigest: fields.imageDigest,
    kmsKeyId: fields.kmsKeyId,
    kmsKeyVersionId: fields.kmsKeyVersionId,
    metadata: fields.metadata ?? '',
    region: fields.region,
    repositoryName: fields.repositoryName,
    signingAlgorithm: fields.signingAlgorithm,
  });
  const bytes = Buffer.from(json, 'utf8');
  const signature = sign(HASH_OF[fields.signingAlgorithm] ?? 'sha256', bytes, {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });
  return { message: bytes.toString('base64'), signature: signature.toString('base64') };
}

/** A ContainerImageSignatureSummary in the API's JSON shape, around a signed message. */
export function signatureSummary(
  signed: { message: string; signature: string },
  fields: Pick<OciMessageFields, 'kmsKeyId' | 'kmsKeyVersionId' | 'signingAlgorithm'>,
  compartmentId: string,
): Record<string, unknown> {
  return {
    compartmentId,
    displayName: `sig::${fields.signingAlgorithm}::${randomUUID().slice(0, 8)}`,
    id: `ocid1.containerimagesignature.oc1.ap-tokyo-1.${randomUUID().replace(/-/g, '')}`,
    imageId: `ocid1.containerimage.oc1.ap-tokyo-1.${randomUUID().replace(/-/g, '')}`,
    kmsKeyId: fields.kmsKeyId,
    kmsKeyVersionId: fields.kmsKeyVersionId,
    message: signed.message,
    signature: signed.signature,
    signingAlgorithm: fields.signingAlgorithm,
    timeCreated: new Date().toISOString(),
    lifecycleState: 'AVAILABLE',
    freeformTags: {},
    definedTags: {},
    systemTags: {},
  };
}

/** The stand-in's public key as PEM, for policies that pin it. */
export function toPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
