import type { CompiledLabelSelector, SelectorVerdict } from '../compile/compiled.types';
import type { LabelSelector, LabelSelectorOperator } from '../crd/crd.types';
import type { FieldError } from '../errors';
import { MAX_DNS_LABEL_LENGTH, MAX_DNS_SUBDOMAIN_LENGTH } from '../limits';
import { NAMESPACE_NAME_LABEL, type NamespaceLabelFacts } from './namespace-labels';
import { quote } from '../crd/schema-validate';

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes' qualified-name rule for label keys: [prefix/]name, name ≤ 63, prefix a DNS subdomain ≤ 253. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (name.length > MAX_DNS_LABEL_LENGTH || !LABEL_NAME.test(name)) return false;
  return prefix === undefined || (prefix.length <= MAX_DNS_SUBDOMAIN_LENGTH && DNS_SUBDOMAIN.test(prefix));
}

/** Kubernetes' label value rule (may be empty, ≤ 63). */
export function isLabelValue(value: string): boolean {
  return value.length <= MAX_DNS_LABEL_LENGTH && LABEL_VALUE.test(value);
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

// requirementHolds judges one requirement against labels known to be complete for its key.
function requirementHolds(
  operator: LabelSelectorOperator,
  values: ReadonlySet<string>,
  present: boolean,
  value: string | undefined,
): boolean {
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
}

/**
 * Compiles a validated selector once; `{}` matches every namespace, as in Kubernetes. `judge` is three-valued:
 * a requirement on a key whose value is not known is unknown; any false requirement makes the selector
 * `no-match` (requirements are ANDed), else any unknown one makes it `unknown`.
 */
export function compileLabelSelector(selector: LabelSelector): CompiledLabelSelector {
  const requirements = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
      key,
      operator: 'In' as const,
      values: new Set([value]),
    })),
    ...(selector.matchExpressions ?? []).map((req) => ({
      key: req.key,
      operator: req.operator,
      values: new Set(req.values ?? []),
    })),
  ];
  const keys = [...new Set(requirements.map((r) => r.key))];
  return {
    keys,
    judge(namespace: NamespaceLabelFacts): SelectorVerdict {
      const { labels, complete } = namespace;
      let unknown = false;
      for (const { key, operator, values } of requirements) {
        if (!complete && key !== NAMESPACE_NAME_LABEL) {
          unknown = true;
          continue;
        }
        const present = Object.prototype.hasOwnProperty.call(labels, key);
        if (!requirementHolds(operator, values, present, labels[key])) return 'no-match';
      }
      return unknown ? 'unknown' : 'match';
    },
  };
}
