import type { CompiledPlacement, EncryptionRule } from './compiled.types';
import type { EncryptionSpec, PlacementSpec } from '../crd/crd.types';
import type { FieldError } from '../errors';
import { isLabelKey, isLabelValue } from '../decide/label-selector';
import { quote } from '../crd/schema-validate';

// validateEncryption rejects a spec.encryption that both requires and forbids encrypted layers.
export function validateEncryption(
  encryption: Readonly<Record<string, unknown>>,
  errors: FieldError[],
): void {
  if (encryption.required === true && encryption.forbidden === true) {
    errors.push({
      path: 'spec.encryption',
      code: 'POLICY_ENCRYPTION_CONFLICT',
      message: 'set at most one of required or forbidden: no image can satisfy both',
    });
  }
}

// validatePlacement checks what the schema cannot: something is required, and node labels are valid.
export function validatePlacement(placement: Readonly<Record<string, unknown>>, errors: FieldError[]): void {
  const classes = Array.isArray(placement.runtimeClassNames) ? placement.runtimeClassNames : [];
  const labels =
    typeof placement.nodeSelector === 'object' && placement.nodeSelector !== null
      ? Object.entries(placement.nodeSelector as Record<string, unknown>)
      : [];
  if (classes.length === 0 && labels.length === 0) {
    errors.push({
      path: 'spec.placement',
      code: 'POLICY_PLACEMENT_EMPTY',
      message: 'placement requires nothing: set runtimeClassNames, nodeSelector, or both',
    });
  }
  for (const [key, value] of labels) {
    if (!isLabelKey(key)) {
      errors.push({
        path: 'spec.placement.nodeSelector',
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(key)} is not a valid label key`,
      });
    } else if (typeof value === 'string' && !isLabelValue(value)) {
      errors.push({
        path: `spec.placement.nodeSelector.${key}`,
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(value)} is not a valid label value`,
      });
    }
  }
}

// toEncryptionRule compiles a validated spec.encryption (at most one of the two is true).
export function toEncryptionRule(spec: EncryptionSpec | undefined): EncryptionRule {
  if (spec?.required === true) return 'required';
  if (spec?.forbidden === true) return 'forbidden';
  return 'any';
}

// toPlacement compiles a validated spec.placement, sorting labels so messages and patches are stable.
export function toPlacement(spec: PlacementSpec): CompiledPlacement {
  return {
    runtimeClassNames: [...(spec.runtimeClassNames ?? [])],
    nodeSelector: Object.entries(spec.nodeSelector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    mutate: spec.mutate ?? false,
    when: spec.when ?? 'always',
  };
}
