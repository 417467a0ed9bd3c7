import type { Descriptor } from '../../registry/registry.types';
import { describe, EnvelopeFormatError } from './headers';
import { isRecord } from '../../guards';

/** The descriptor a Notary payload signs (`targetArtifact`). */
export interface TargetArtifact {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** Parses a verified payload `{"targetArtifact": {mediaType, digest, size, annotations?}}`. */
export function parseNotaryPayload(bytes: Buffer): TargetArtifact {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new EnvelopeFormatError('the payload is not JSON');
  }
  const target = isRecord(v) ? v.targetArtifact : undefined;
  if (!isRecord(target)) throw new EnvelopeFormatError('the payload has no targetArtifact object');
  const { mediaType, digest, size } = target;
  if (typeof mediaType !== 'string' || typeof digest !== 'string')
    throw new EnvelopeFormatError('targetArtifact needs string mediaType and digest');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new EnvelopeFormatError(`targetArtifact size ${describe(size)} is not a non-negative integer`);
  return { mediaType, digest, size };
}

/**
 * Says how the signed descriptor differs from the image's (mediaType, digest and size must all be equal),
 * or undefined when it is the image. Messages name both sides.
 */
export function describeTargetMismatch(signed: TargetArtifact, image: Descriptor): string | undefined {
  if (signed.digest !== image.digest)
    return `the signature is for ${signed.digest} (${signed.size} bytes), not for this image ${image.digest}`;
  if (signed.size !== image.size)
    return `the signature gives size ${signed.size} for ${image.digest}, but the manifest is ${image.size} bytes`;
  if (signed.mediaType !== image.mediaType)
    return `the signature gives media type ${describe(signed.mediaType)}, but the manifest is ${describe(image.mediaType)}`;
  return undefined;
}
