// The schema of a simpleSigning authority (GPG simple signing), built from the shared parts of schema.ts.
// Descriptions come from the doc comments of crd.types.ts (ADR 0002).
import type { SecretKeyRef } from './crd.types';
import type { SignedIdentity, SimpleSigningAuthority, SimpleSigningKey } from './simple-signing.types';
import { array, enumeration, object, optional, type Schema } from './schema-builder';

/** The shared schema pieces schema.ts hands in (kept there, next to every other authority's). */
export interface SchemaParts {
  readonly text: () => Schema<string>;
  readonly pem: () => Schema<string>;
  readonly secretKeyRef: Schema<SecretKeyRef>;
  readonly maxListItems: number;
}

/** The `simpleSigning` authority: keys, containers-policy.json(5) signedIdentity, and the lookaside URL. */
export function simpleSigningSchema(parts: SchemaParts): Schema<SimpleSigningAuthority> {
  const simpleSigningKey = object<SimpleSigningKey>(
    {
      data: optional(parts.pem()),
      secretRef: optional(parts.secretKeyRef),
    },
    {
      validations: [
        { rule: 'has(self.data) != has(self.secretRef)', message: 'set exactly one of data or secretRef' },
      ],
    },
  );

  const signedIdentity = signedIdentitySchema(parts);

  const simpleSigningAuthority = object<SimpleSigningAuthority>({
    keyType: optional(enumeration(['GPGKeys'] as const), 'GPGKeys'),
    keys: array(simpleSigningKey, {
      maxItems: parts.maxListItems,
      minItems: 1,
    }),
    signedIdentity: optional(signedIdentity),
    lookaside: parts.text(),
  });
  return simpleSigningAuthority;
}

/** containers-policy.json(5) `signedIdentity`, shared by the simpleSigning and cosign authorities. */
export function signedIdentitySchema(parts: Pick<SchemaParts, 'text'>): Schema<SignedIdentity> {
  return object<SignedIdentity>(
    {
      type: enumeration([
        'matchRepoDigestOrExact',
        'matchRepository',
        'matchExact',
        'exactReference',
        'exactRepository',
        'remapIdentity',
      ] as const),
      dockerReference: optional(parts.text()),
      dockerRepository: optional(parts.text()),
      prefix: optional(parts.text()),
      signedPrefix: optional(parts.text()),
    },
    {
      validations: [
        {
          rule: "has(self.dockerReference) == (self.type == 'exactReference')",
          message: 'dockerReference is required with, and only with, type exactReference',
        },
        {
          rule: "has(self.dockerRepository) == (self.type == 'exactRepository')",
          message: 'dockerRepository is required with, and only with, type exactRepository',
        },
        {
          rule: "has(self.prefix) == (self.type == 'remapIdentity') && has(self.signedPrefix) == has(self.prefix)",
          message: 'prefix and signedPrefix are required with, and only with, type remapIdentity',
        },
      ],
    },
  );
}
