import type { PolicyErrorCode } from '../errors';

/**
 * A small, typed builder for structural OpenAPI v3 schemas (the subset Kubernetes CRDs accept).
 * `object<T>()` demands one schema per property of T, optional exactly where T's property is optional,
 * and each schema's type must equal the property's type: a field added to a type without schema,
 * or a schema of the wrong type, fails `tsc`. See docs/adr/0002-crd-schema-generation.md.
 */

/** One CEL rule for `x-kubernetes-validations`. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

/** A schema node. `errorCode` is ours (the code validation reports); it is never written to a CRD. */
export interface SchemaNode {
  readonly type: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: SchemaNode;
  readonly maxProperties?: number;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: true;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
  readonly errorCode?: PolicyErrorCode;
}

declare const schemaType: unique symbol;

/** A schema node that describes values of type T (checked invariantly by the compiler). */
export interface Schema<T> {
  readonly node: SchemaNode;
  readonly [schemaType]?: (value: T) => T;
}

/** A property that users may omit. */
export interface OptionalSchema<T> {
  readonly optional: true;
  readonly schema: Schema<T>;
}

type IsOptional<T, K extends keyof T> = Record<never, never> extends Pick<T, K> ? true : false;

/** One schema per property of T; optional properties must be wrapped in `optional()`. */
export type PropertySchemas<T> = {
  [K in keyof T]-?: IsOptional<T, K> extends true ? OptionalSchema<Exclude<T[K], undefined>> : Schema<T[K]>;
};

/** Options every node takes. Descriptions are not among them: they come from crd.types.ts's doc comments. */
interface Common {
  readonly errorCode?: PolicyErrorCode;
}

// schema wraps a node; the type parameter is the only thing it adds.
function schema<T>(node: SchemaNode): Schema<T> {
  return { node };
}

/** A string, always with a maximum length (limits are part of the contract). */
export function string(
  opts: Common & { maxLength: number; minLength?: number; pattern?: string },
): Schema<string> {
  return schema({ type: 'string', ...opts });
}

/** A string restricted to `values`. */
export function enumeration<const V extends readonly string[]>(
  values: V,
  opts: Common = {},
): Schema<V[number]> {
  return schema({ type: 'string', enum: values, ...opts });
}

export function integer(opts: Common & { minimum?: number; maximum?: number }): Schema<number> {
  return schema({ type: 'integer', ...opts });
}

export function boolean(opts: Common = {}): Schema<boolean> {
  return schema({ type: 'boolean', ...opts });
}

/** A list, always with maxItems. `listMapKeys` makes the API server enforce uniqueness of those keys. */
export function array<T>(
  items: Schema<T>,
  opts: Common & {
    maxItems: number;
    minItems?: number;
    listType?: 'atomic' | 'set' | 'map';
    listMapKeys?: readonly string[];
    validations?: readonly CelRule[];
  },
): Schema<T[]> {
  const { listType, listMapKeys, validations, ...rest } = opts;
  return schema({
    type: 'array',
    items: items.node,
    ...rest,
    ...(listType ? { 'x-kubernetes-list-type': listType } : {}),
    ...(listMapKeys ? { 'x-kubernetes-list-map-keys': listMapKeys } : {}),
    ...(validations ? { 'x-kubernetes-validations': validations } : {}),
  });
}

/** A map of strings to strings (e.g. matchLabels). */
export function stringMap(
  values: Schema<string>,
  opts: Common & { maxProperties: number },
): Schema<Record<string, string>> {
  return schema({ type: 'object', additionalProperties: values.node, ...opts });
}

/** An object whose properties are exactly those of T. Unknown fields are rejected by validation. */
export function object<T>(
  properties: PropertySchemas<T>,
  opts: Common & { validations?: readonly CelRule[] } = {},
): Schema<T> {
  const props: Record<string, SchemaNode> = {};
  const required: string[] = [];
  for (const [name, prop] of Object.entries(properties) as [
    string,
    Schema<unknown> | OptionalSchema<unknown>,
  ][]) {
    if ('optional' in prop) {
      props[name] = prop.schema.node;
    } else {
      props[name] = prop.node;
      required.push(name);
    }
  }
  const { validations, ...rest } = opts;
  return schema({
    type: 'object',
    properties: props,
    ...(required.length > 0 ? { required } : {}),
    ...rest,
    ...(validations ? { 'x-kubernetes-validations': validations } : {}),
  });
}

/** Marks a property optional; `defaultValue` becomes the schema default the API server applies. */
export function optional<T>(s: Schema<T>, defaultValue?: T): OptionalSchema<T> {
  const node = defaultValue === undefined ? s.node : { ...s.node, default: defaultValue };
  return { optional: true, schema: { node } };
}
