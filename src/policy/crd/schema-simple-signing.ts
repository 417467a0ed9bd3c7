// The schema of a simpleSigning authority (GPG simple signing), built from the shared parts of schema.ts.
import type { SecretKeyRef, SignedIdentity, SimpleSigningAuthority, SimpleSigningKey } from './crd.types';
import { array, enumeration, object, optional, type Schema } from './schema-builder';

/** The shared schema pieces schema.ts hands in (kept there, next to every other authority's). */
export interface SchemaParts {
  readonly text: (description?: string) => Schema<string>;
  readonly pem: (description: string) => Schema<string>;
  readonly secretKeyRef: Schema<SecretKeyRef>;
  readonly maxListItems: number;
}

/** The `simpleSigning` authority: keys, containers-policy.json(5) signedIdentity, and the lookaside URL. */
export function simpleSigningSchema(parts: SchemaParts): Schema<SimpleSigningAuthority> {
  const simpleSigningKey = object<SimpleSigningKey>(
    {
      data: optional(parts.pem('One or several ASCII-armored OpenPGP public key blocks.')),
      secretRef: optional(parts.secretKeyRef),
    },
    {
      description: 'OpenPGP public keys: exactly one of data or secretRef.',
      validations: [
        { rule: 'has(self.data) != has(self.secretRef)', message: 'set exactly one of data or secretRef' },
      ],
    },
  );

  const signedIdentity = object<SignedIdentity>(
    {
      type: enumeration(
        [
          'matchRepoDigestOrExact',
          'matchRepository',
          'matchExact',
          'exactReference',
          'exactRepository',
          'remapIdentity',
        ] as const,
        { description: 'How the signed docker-reference must relate to the image.' },
      ),
      dockerReference: optional(parts.text('exactReference: the reference signatures must name.')),
      dockerRepository: optional(parts.text('exactRepository: the repository signatures must name.')),
      prefix: optional(parts.text("remapIdentity: the prefix of the image's name to replace.")),
      signedPrefix: optional(parts.text('remapIdentity: the prefix signatures name instead.')),
    },
    {
      description: 'containers-policy.json(5) signedIdentity. Default type matchRepoDigestOrExact.',
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

  const simpleSigningAuthority = object<SimpleSigningAuthority>(
    {
      keyType: optional(
        enumeration(['GPGKeys'] as const, { description: 'Only GPGKeys exists.' }),
        'GPGKeys',
      ),
      keys: array(simpleSigningKey, {
        maxItems: parts.maxListItems,
        minItems: 1,
        description: 'The keys that may sign.',
      }),
      signedIdentity: optional(signedIdentity),
      lookaside: parts.text('Lookaside base URL (registries.d lookaside): https, or http on loopback only.'),
    },
    { description: 'GPG simple signing (skopeo copy --sign-by), read from a lookaside store.' },
  );
  return simpleSigningAuthority;
}
