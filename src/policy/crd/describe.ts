/**
 * CRD descriptions: the doc comments of crd.types.ts (read at build time by tools/crd-descriptions.ts) merged
 * into the rendered OpenAPI schema, and the check that no field is left without one (ADR 0002). Pure.
 */

/** The doc comments of one type, shaped like its schema: properties by name, array items under `items`. */
export interface DocNode {
  readonly description?: string | undefined;
  readonly properties?: Readonly<Record<string, DocNode>>;
  readonly items?: DocNode;
}

/** An OpenAPI schema node as rendered into a CRD. */
export type OpenApiNode = Record<string, unknown>;

// withDescription puts `description` right after `type`, where controller-gen and kubectl users expect it.
function withDescription(node: OpenApiNode, description: string | undefined): OpenApiNode {
  if (description === undefined) return node;
  const { type, ...rest } = node;
  return { ...(type === undefined ? {} : { type }), description, ...rest };
}

/** Copies `node` with each field's description taken from `doc` (the schema decides which fields exist). */
export function describeSchema(node: OpenApiNode, doc: DocNode | undefined): OpenApiNode {
  const out: OpenApiNode = { ...node };
  const props = node.properties as Record<string, OpenApiNode> | undefined;
  if (props !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, describeSchema(v, doc?.properties?.[k])]),
    );
  }
  if (node.items !== undefined) out.items = describeSchema(node.items as OpenApiNode, doc?.items);
  return withDescription(out, doc?.description);
}

/**
 * The paths of schema nodes that have no description: every property, and array items that are objects
 * (`kubectl explain` shows both). Scalar items and map values only repeat their field, so they are exempt.
 */
export function missingDescriptions(node: OpenApiNode, path = ''): string[] {
  const missing: string[] = [];
  const isItem = path.endsWith('[]');
  // `.metadata` is ObjectMeta: the API server documents it and forbids a description of ours there.
  const needed = path !== '' && path !== '.metadata' && (!isItem || node.type === 'object');
  if (needed && (typeof node.description !== 'string' || node.description === '')) missing.push(path);
  const props = (node.properties ?? {}) as Record<string, OpenApiNode>;
  for (const [k, v] of Object.entries(props)) missing.push(...missingDescriptions(v, `${path}.${k}`));
  if (node.items !== undefined) missing.push(...missingDescriptions(node.items as OpenApiNode, `${path}[]`));
  return missing;
}
