import type { FieldError, PolicyErrorCode } from '../errors';
import type { SchemaNode } from './schema-builder';
import { isRecord } from '../../guards';

/**
 * Structural validation of a user object against a schema node, the way the API server would judge it,
 * except that unknown fields are errors (typos in a security policy must not be silently pruned).
 * Returns a copy with `null` values dropped (Kubernetes prunes nulls of non-nullable fields).
 */
export function validateAgainstSchema(
  value: unknown,
  node: SchemaNode,
  path: string,
  errors: FieldError[],
): unknown {
  switch (node.type) {
    case 'object':
      return validateObject(value, node, path, errors);
    case 'array':
      return validateArray(value, node, path, errors);
    case 'string':
      return validateString(value, node, path, errors);
    case 'integer':
      return validateInteger(value, node, path, errors);
    case 'boolean':
      if (typeof value !== 'boolean')
        push(errors, path, 'POLICY_FIELD_TYPE', `expected true or false, got ${describe(value)}`);
      return value;
  }
}

/** Quoted values are cut to this many characters in messages. */
export const MAX_QUOTED_VALUE_CHARS = 64;

// push records one error, preferring the node's own error code for value errors.
function push(
  errors: FieldError[],
  path: string,
  code: PolicyErrorCode,
  message: string,
  node?: SchemaNode,
): void {
  errors.push({
    path,
    code: code === 'POLICY_FIELD_VALUE' && node?.errorCode ? node.errorCode : code,
    message,
  });
}

// describe names a value's JSON type for "expected X, got Y" messages without echoing the value.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

// quote shows a short user value in a message (policy text, never secret material: keys are not quoted).
export function quote(value: string): string {
  const cut = value.length > MAX_QUOTED_VALUE_CHARS ? `${value.slice(0, MAX_QUOTED_VALUE_CHARS)}…` : value;
  return JSON.stringify(cut);
}

// validateObject checks required and unknown fields, then recurses into each property.
function validateObject(value: unknown, node: SchemaNode, path: string, errors: FieldError[]): unknown {
  if (!isRecord(value)) {
    push(errors, path, 'POLICY_FIELD_TYPE', `expected an object, got ${describe(value)}`);
    return value;
  }
  const out: Record<string, unknown> = {};
  const props = node.properties ?? {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null) continue;
    const childPath = `${path}.${key}`;
    const prop = props[key] ?? node.additionalProperties;
    if (prop) {
      out[key] = validateAgainstSchema(child, prop, childPath, errors);
    } else if (node['x-kubernetes-preserve-unknown-fields']) {
      out[key] = child;
    } else {
      push(errors, childPath, 'POLICY_FIELD_UNKNOWN', unknownFieldMessage(key, Object.keys(props)));
    }
  }
  for (const name of node.required ?? []) {
    if (out[name] === undefined && value[name] === undefined) {
      push(errors, `${path}.${name}`, 'POLICY_FIELD_REQUIRED', 'required field is missing');
    } else if (value[name] === null) {
      push(errors, `${path}.${name}`, 'POLICY_FIELD_REQUIRED', 'required field is null');
    }
  }
  if (node.maxProperties !== undefined && Object.keys(out).length > node.maxProperties) {
    push(errors, path, 'POLICY_FIELD_VALUE', `has more than ${node.maxProperties} entries`, node);
  }
  return out;
}

// unknownFieldMessage suggests the closest allowed name, since most unknown fields are typos.
function unknownFieldMessage(key: string, allowed: readonly string[]): string {
  const near = allowed.find((name) => editDistance(name.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = near ? ` (did you mean "${near}"?)` : '';
  const list = allowed.length > 0 ? `; allowed here: ${allowed.join(', ')}` : '';
  return `unknown field ${quote(key)}${hint}${list}`;
}

// editDistance is a plain Levenshtein distance for typo suggestions on short field names.
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

// validateArray checks the length limits, then each item with an indexed path.
function validateArray(value: unknown, node: SchemaNode, path: string, errors: FieldError[]): unknown {
  if (!Array.isArray(value)) {
    push(errors, path, 'POLICY_FIELD_TYPE', `expected a list, got ${describe(value)}`);
    return value;
  }
  if (node.minItems !== undefined && value.length < node.minItems) {
    push(
      errors,
      path,
      'POLICY_FIELD_VALUE',
      `needs at least ${node.minItems} entr${node.minItems === 1 ? 'y' : 'ies'}`,
      node,
    );
  }
  if (node.maxItems !== undefined && value.length > node.maxItems) {
    push(
      errors,
      path,
      'POLICY_FIELD_VALUE',
      `has ${value.length} entries; at most ${node.maxItems} are allowed`,
      node,
    );
    return value;
  }
  const items = node.items;
  return items ? value.map((item, i) => validateAgainstSchema(item, items, `${path}[${i}]`, errors)) : value;
}

// validateString checks type, enum, length and pattern; values are quoted only when short and not PEM.
function validateString(value: unknown, node: SchemaNode, path: string, errors: FieldError[]): unknown {
  if (typeof value !== 'string') {
    push(errors, path, 'POLICY_FIELD_TYPE', `expected a string, got ${describe(value)}`);
    return value;
  }
  if (node.enum && !node.enum.includes(value)) {
    push(
      errors,
      path,
      'POLICY_FIELD_VALUE',
      `must be one of ${node.enum.join(', ')} (got ${quote(value)})`,
      node,
    );
  } else if (node.minLength !== undefined && value.length < node.minLength) {
    push(errors, path, 'POLICY_FIELD_VALUE', 'must not be empty', node);
  } else if (node.maxLength !== undefined && value.length > node.maxLength) {
    push(
      errors,
      path,
      'POLICY_FIELD_VALUE',
      `is ${value.length} characters long; at most ${node.maxLength} allowed`,
      node,
    );
  } else if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
    push(errors, path, 'POLICY_FIELD_VALUE', `${quote(value)} does not match ${node.pattern}`, node);
  }
  return value;
}

// validateInteger checks type and range.
function validateInteger(value: unknown, node: SchemaNode, path: string, errors: FieldError[]): unknown {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    push(errors, path, 'POLICY_FIELD_TYPE', `expected an integer, got ${describe(value)}`);
  } else if (node.minimum !== undefined && value < node.minimum) {
    push(errors, path, 'POLICY_FIELD_VALUE', `must be at least ${node.minimum} (got ${value})`, node);
  } else if (node.maximum !== undefined && value > node.maximum) {
    push(errors, path, 'POLICY_FIELD_VALUE', `must be at most ${node.maximum} (got ${value})`, node);
  }
  return value;
}
