import type { CompiledLabelSelector } from './compiled.types';
import type { LabelSelector } from './crd.types';
import type { FieldError } from './errors';
import { quote } from './schema-validate';

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

// isLabelKey follows Kubernetes' qualified-name rule: [prefix/]name, name ≤ 63, prefix a DNS subdomain ≤ 253.
function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  return prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
}

// isLabelValue follows Kubernetes' label value rule (may be empty, ≤ 63).
function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Semantic checks of a structurally valid label selector: key/value syntax and operator/values pairing. */
export function validateLabelSelector(selector: LabelSelector, path: string, errors: FieldError[]): void {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!isLabelKey(key)) {
      errors.push({
        path: `${path}.matchLabels`,
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(key)} is not a valid label key`,
      });
    } else if (!isLabelValue(value)) {
      errors.push({
        path: `${path}.matchLabels.${key}`,
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(value)} is not a valid label value`,
      });
    }
  }
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    if (!isLabelKey(req.key)) {
      errors.push({
        path: `${at}.key`,
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(req.key)} is not a valid label key`,
      });
    }
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      errors.push({
        path: `${at}.values`,
        code: 'POLICY_FIELD_REQUIRED',
        message: `operator ${req.operator} needs at least one value`,
      });
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      errors.push({
        path: `${at}.values`,
        code: 'POLICY_FIELD_VALUE',
        message: `operator ${req.operator} takes no values`,
      });
    }
    values.forEach((v, j) => {
      if (!isLabelValue(v)) {
        errors.push({
          path: `${at}.values[${j}]`,
          code: 'POLICY_FIELD_VALUE',
          message: `${quote(v)} is not a valid label value`,
        });
      }
    });
  });
}

/** Compiles a validated selector once; `{}` matches every namespace, as in Kubernetes. */
export function compileLabelSelector(selector: LabelSelector): CompiledLabelSelector {
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = (selector.matchExpressions ?? []).map((req) => ({
    key: req.key,
    operator: req.operator,
    values: new Set(req.values ?? []),
  }));
  return {
    matches(nsLabels: Readonly<Record<string, string>>): boolean {
      const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(nsLabels, k);
      if (!labels.every(([k, v]) => has(k) && nsLabels[k] === v)) return false;
      return expressions.every(({ key, operator, values }) => {
        const present = has(key);
        const value = nsLabels[key];
        switch (operator) {
          case 'In':
            return present && value !== undefined && values.has(value);
          case 'NotIn':
            return !present || value === undefined || !values.has(value);
          case 'Exists':
            return present;
          case 'DoesNotExist':
            return !present;
        }
      });
    },
  };
}
