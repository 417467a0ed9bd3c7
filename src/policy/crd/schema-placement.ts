import type { EncryptionSpec, PlacementSpec } from './crd.types';
import { MAX_DNS_LABEL_LENGTH, MAX_DNS_SUBDOMAIN_LENGTH } from '../limits';
import { array, boolean, enumeration, object, optional, string, stringMap } from './schema-builder';

// The schemas of spec.encryption and spec.placement (docs/confidential.md), part of the CRD schema (schema.ts).
// Field descriptions come from the doc comments of EncryptionSpec and PlacementSpec in crd.types.ts (ADR 0002).

/** RuntimeClasses one `placement.runtimeClassNames` may list. */
export const MAX_PLACEMENT_RUNTIME_CLASSES = 16;
/** Labels one `placement.nodeSelector` may require. */
export const MAX_PLACEMENT_LABELS = 32;

const RUNTIME_CLASS_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

/** The schema of spec.encryption. */
export const encryption = object<EncryptionSpec>(
  {
    required: optional(boolean(), false),
    forbidden: optional(boolean(), false),
  },
  {
    validations: [
      {
        rule: '!(has(self.required) && self.required && has(self.forbidden) && self.forbidden)',
        message: 'set at most one of required or forbidden',
      },
    ],
  },
);

/** The schema of spec.placement. */
export const placement = object<PlacementSpec>({
  runtimeClassNames: optional(
    array(string({ maxLength: MAX_DNS_SUBDOMAIN_LENGTH, minLength: 1, pattern: RUNTIME_CLASS_PATTERN }), {
      maxItems: MAX_PLACEMENT_RUNTIME_CLASSES,
      minItems: 1,
      listType: 'set',
    }),
  ),
  nodeSelector: optional(
    stringMap(string({ maxLength: MAX_DNS_LABEL_LENGTH }), {
      maxProperties: MAX_PLACEMENT_LABELS,
    }),
  ),
  mutate: optional(boolean(), false),
  when: optional(enumeration(['always', 'encrypted'] as const), 'always'),
});
