// What every peer converter refuses about a cosign public key, in one place: KMS keys (Portcullis verifies
// with a public key it holds) and hash algorithms other than SHA-256 (the only one Portcullis verifies).
import type { FieldReader } from './peer-input';
import type { ConversionRecorder } from './report';

/** Where a peer keeps a key's KMS URI and its hash algorithm, and where the exported public key belongs. */
export interface CosignKeyFields {
  readonly kms: string;
  readonly hash: string;
  /** The peer's field for a PEM public key, named in the refusal. */
  readonly exportInto: string;
}

// refuseUnsupportedKeyForms takes the KMS and hash fields of `key`, refusing a KMS key and a non-SHA-256 hash.
export function refuseUnsupportedKeyForms(
  key: FieldReader,
  rec: ConversionRecorder,
  fields: CosignKeyFields,
): void {
  if (key.has(fields.kms))
    rec.refuse(
      key.at(fields.kms),
      `KMS keys are not supported by Portcullis; export the public key (cosign public-key --key <kms-uri>) into ${fields.exportInto}`,
    );
  key.take(fields.kms);
  const hash = key.str(fields.hash);
  if (hash !== undefined && hash !== 'sha256')
    rec.refuse(
      key.at(fields.hash),
      `"${hash}": Portcullis verifies cosign signatures over SHA-256 digests only`,
    );
}
