import type { V1Secret } from '@kubernetes/client-node';
import { MAX_BUNDLE_CERTS } from './limits';

/**
 * The Secret's keys, shared with the chart's selfManagedTls helper (charts/portcullis/templates/_helpers.tpl):
 * `ca.crt` is the bundle published as caBundle, its FIRST certificate is the signer whose key is `ca.key`;
 * `ca-next.key` (only during a rollover) is the key of the second, incoming CA; `tls.crt`/`tls.key` is the
 * serving pair.
 */
export const SECRET_KEYS = {
  bundle: 'ca.crt',
  signerKey: 'ca.key',
  incomingKey: 'ca-next.key',
  cert: 'tls.crt',
  key: 'tls.key',
} as const;

/** Annotations of the Secret: Unix seconds. The first one is read by `helm upgrade` too. */
export const SECRET_ANNOTATIONS = {
  servingNotAfter: 'portcullis.dev/serving-cert-not-after',
  servingIssuedAt: 'portcullis.dev/serving-cert-issued-at',
  bundlePublishedAt: 'portcullis.dev/ca-bundle-published-at',
} as const;

/** The Secret's TLS contents, decoded. Key fields are secret: never log them. */
export interface TlsMaterial {
  /** PEM of each CA in `ca.crt`, in order. */
  readonly cas: readonly string[];
  readonly signerKey?: string;
  readonly incomingKey?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Milliseconds since the epoch. */
  readonly bundlePublishedAt?: number;
  readonly servingIssuedAt?: number;
  readonly servingNotAfter?: number;
}

const CERT_PEM = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, each as its own PEM (at most MAX_BUNDLE_CERTS + 1 are returned). */
export function splitPemBundle(pem: string): string[] {
  return (pem.match(CERT_PEM) ?? []).slice(0, MAX_BUNDLE_CERTS + 1).map((c) => `${c.trim()}\n`);
}

// fromBase64 decodes one data value; absent or empty stays undefined.
function fromBase64(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

// toMs reads a Unix-seconds annotation; anything that is not a positive integer is ignored.
function toMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds > 0 ? seconds * 1000 : undefined;
}

/** Reads the TLS material out of a Secret (its contents are operator-controlled: validated later). */
export function toTlsMaterial(secret: V1Secret): TlsMaterial {
  const data = secret.data ?? {};
  const notes = secret.metadata?.annotations ?? {};
  const material: { -readonly [K in keyof TlsMaterial]: TlsMaterial[K] } = {
    cas: splitPemBundle(fromBase64(data[SECRET_KEYS.bundle]) ?? ''),
  };
  const texts = [
    ['signerKey', SECRET_KEYS.signerKey],
    ['incomingKey', SECRET_KEYS.incomingKey],
    ['cert', SECRET_KEYS.cert],
    ['key', SECRET_KEYS.key],
  ] as const;
  for (const [field, key] of texts) {
    const value = fromBase64(data[key]);
    if (value !== undefined) material[field] = value;
  }
  const times = [
    ['bundlePublishedAt', SECRET_ANNOTATIONS.bundlePublishedAt],
    ['servingIssuedAt', SECRET_ANNOTATIONS.servingIssuedAt],
    ['servingNotAfter', SECRET_ANNOTATIONS.servingNotAfter],
  ] as const;
  for (const [field, annotation] of times) {
    const value = toMs(notes[annotation]);
    if (value !== undefined) material[field] = value;
  }
  return material;
}

/**
 * The Secret with `material` written into it: our keys and annotations replaced, every other key, label
 * and annotation kept, and metadata.resourceVersion kept so the update fails if someone wrote in between.
 */
export function withTlsMaterial(secret: V1Secret, material: TlsMaterial): V1Secret {
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  const annotations: Record<string, string> = { ...(secret.metadata?.annotations ?? {}) };
  const put = (target: Record<string, string>, key: string, value: string | undefined): void => {
    if (value === undefined) delete target[key];
    else target[key] = value;
  };
  const b64 = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : Buffer.from(value, 'utf8').toString('base64');
  const seconds = (ms: number | undefined): string | undefined =>
    ms === undefined ? undefined : String(Math.floor(ms / 1000));
  put(data, SECRET_KEYS.bundle, b64(material.cas.join('')));
  put(data, SECRET_KEYS.signerKey, b64(material.signerKey));
  put(data, SECRET_KEYS.incomingKey, b64(material.incomingKey));
  put(data, SECRET_KEYS.cert, b64(material.cert));
  put(data, SECRET_KEYS.key, b64(material.key));
  put(annotations, SECRET_ANNOTATIONS.bundlePublishedAt, seconds(material.bundlePublishedAt));
  put(annotations, SECRET_ANNOTATIONS.servingIssuedAt, seconds(material.servingIssuedAt));
  put(annotations, SECRET_ANNOTATIONS.servingNotAfter, seconds(material.servingNotAfter));
  return { ...secret, metadata: { ...secret.metadata, annotations }, data };
}
