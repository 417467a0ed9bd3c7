import type { Descriptor } from '../../registry/registry.types';
import { isRecord } from '../../guards';

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Narrows a registry-supplied digest to `sha256:<64 lowercase hex>`. */
export function isSha256Digest(digest: string): boolean {
  return SHA256_DIGEST.test(digest);
}

/**
 * The layers of a signature manifest (attacker-controlled JSON), shape-checked; a string says what is
 * wrong. Only sha256 layer digests are accepted, so that getBlob can verify what it downloads.
 */
export function toLayers(json: unknown): Descriptor[] | string {
  if (!isRecord(json) || !Array.isArray(json['layers'])) return 'manifest has no "layers" array';
  const layers: Descriptor[] = [];
  for (const [i, raw] of (json['layers'] as unknown[]).entries()) {
    const layer = toDescriptor(raw);
    if (layer === undefined) return `layer ${i + 1} is not a valid sha256 descriptor`;
    layers.push(layer);
  }
  return layers;
}

/** The manifest's annotations, keeping string values only. */
export function toAnnotations(json: unknown): Record<string, string> {
  const raw = isRecord(json) ? json['annotations'] : undefined;
  return isRecord(raw) ? stringEntries(raw) : {};
}

// toDescriptor validates one descriptor's fields; annotations keep string values only.
function toDescriptor(raw: unknown): Descriptor | undefined {
  if (!isRecord(raw)) return undefined;
  const { mediaType, digest, size, annotations } = raw;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || !SHA256_DIGEST.test(digest)) {
    return undefined;
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { mediaType, digest, size, annotations: isRecord(annotations) ? stringEntries(annotations) : {} };
}

// stringEntries drops non-string annotation values instead of trusting their type.
function stringEntries(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string') out[k] = v;
  return out;
}
