import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { describeUnknown } from '../../errors';
import type { ConfigMapLookup, SecretLookup } from '../compile/compile';
import type { PolicyErrorCode } from '../errors';
import { isRecord } from '../../guards';

/** Largest policy file parsed (policy folders and `policy lint`). */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;
/** Most YAML documents in one file. */
export const MAX_DOCUMENTS_PER_FILE = 500;
/**
 * YAML alias expansions allowed per document (guards against "billion laughs"), for policy files and the
 * manifests `review` reads: the yaml library's own default, which admits real anchors and refuses bombs.
 */
export const MAX_YAML_ALIASES = 100;

/** One policy object from a file, with a way to find the line of a field path. */
export interface PolicyDocument {
  readonly object: unknown;
  readonly source: string;
  /** 1-based line where the document starts. */
  readonly line: number;
  /** 1-based column where the document starts. */
  readonly column: number;
  /** 1-based line of a field path such as `spec.authorities[1].cosign.key`, or of its nearest parent. */
  lineOf(path: string): number;
  /** Line and column of a field path's key (or list item), or of its nearest parent; else the document start. */
  positionOf(path: string): TextPosition;
}

/** A 1-based line and column in a file. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** A Secret from a file: `data` base64-decoded, `stringData` merged over it (as the API server does). */
export interface SecretDocument {
  readonly name: string;
  readonly namespace?: string;
  readonly data: Readonly<Record<string, string>>;
  readonly source: string;
  readonly line: number;
}

/** A ConfigMap from a file (a keyless trusted root): `data` as is, `binaryData` base64-decoded. */
export type ConfigMapDocument = SecretDocument;

export interface DocumentError {
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
  readonly path: string;
  readonly code: PolicyErrorCode;
  readonly message: string;
}

export interface ParsedDocuments {
  readonly policies: PolicyDocument[];
  readonly secrets: SecretDocument[];
  readonly configMaps: ConfigMapDocument[];
  readonly errors: DocumentError[];
}

const POLICY_KINDS = ['ClusterImagePolicy', 'ImagePolicy'];
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * Splits a (multi-document) YAML text into policy objects, Secrets and ConfigMaps, for policy folders and lint.
 * YAML errors are reported with file and line; other kinds are errors too (nothing is silently skipped).
 */
export function parsePolicyDocuments(text: string, source: string): ParsedDocuments {
  const out: ParsedDocuments = { policies: [], secrets: [], configMaps: [], errors: [] };
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_FILE_BYTES) {
    out.errors.push({
      source,
      path: '<file>',
      code: 'POLICY_YAML_INVALID',
      message: `file is larger than ${MAX_POLICY_FILE_BYTES} bytes`,
    });
    return out;
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length > MAX_DOCUMENTS_PER_FILE) {
    out.errors.push({
      source,
      path: '<file>',
      code: 'POLICY_YAML_INVALID',
      message: `more than ${MAX_DOCUMENTS_PER_FILE} documents`,
    });
    return out;
  }
  list.forEach((doc, index) => addDocument(doc, index, source, lineCounter, out));
  return out;
}

// addDocument sorts one YAML document; its errors without a column of their own point at the document start.
function addDocument(
  doc: Document.Parsed,
  index: number,
  source: string,
  lc: LineCounter,
  out: ParsedDocuments,
): void {
  const before = out.errors.length;
  sortDocument(doc, index, source, lc, out);
  const { col } = lc.linePos(doc.contents?.range?.[0] ?? doc.range[0]);
  for (let i = before; i < out.errors.length; i++) {
    const e = out.errors[i] as DocumentError;
    if (e.column === undefined) out.errors[i] = { ...e, column: col };
  }
}

// sortDocument converts one YAML document and sorts it into policies, secrets, configMaps or errors.
function sortDocument(
  doc: Document.Parsed,
  index: number,
  source: string,
  lc: LineCounter,
  out: ParsedDocuments,
): void {
  const start = lc.linePos(doc.contents?.range?.[0] ?? doc.range[0]);
  const line = start.line;
  const at = `<document-${index + 1}>`;
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
      out.errors.push({
        source,
        line: pos?.line ?? line,
        column: pos?.col ?? start.col,
        path: at,
        code: 'POLICY_YAML_INVALID',
        message: e.message.split('\n')[0] ?? e.code,
      });
    }
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    out.errors.push({ source, line, path: at, code: 'POLICY_YAML_INVALID', message: describeUnknown(error) });
    return;
  }
  if (value === null || value === undefined) return; // an empty document, e.g. after a trailing `---`
  if (!isRecord(value)) {
    out.errors.push({
      source,
      line,
      path: at,
      code: 'POLICY_YAML_INVALID',
      message: 'expected a Kubernetes object (a mapping)',
    });
    return;
  }
  if (value.kind === 'Secret') {
    const secret = toObjectData(value, 'Secret', SECRET_FIELDS, source, line, out.errors);
    if (secret) out.secrets.push(secret);
  } else if (value.kind === 'ConfigMap') {
    const configMap = toObjectData(value, 'ConfigMap', CONFIGMAP_FIELDS, source, line, out.errors);
    if (configMap) out.configMaps.push(configMap);
  } else if (typeof value.kind === 'string' && POLICY_KINDS.includes(value.kind)) {
    const column = start.col;
    out.policies.push({
      object: value,
      source,
      line,
      column,
      lineOf: (path) => positionOfPath(doc, lc, path)?.line ?? line,
      positionOf: (path) => positionOfPath(doc, lc, path) ?? { line, column },
    });
  } else {
    out.errors.push({
      source,
      line,
      path: 'kind',
      code: 'POLICY_KIND_INVALID',
      message: `expected ClusterImagePolicy, ImagePolicy, Secret or ConfigMap (got ${typeof value.kind === 'string' ? JSON.stringify(value.kind.slice(0, 64)) : 'no kind'})`,
    });
  }
}

/** The key maps of a Secret and a ConfigMap, in merge order, and whether each is base64 (as the API server has them). */
const SECRET_FIELDS = [
  ['data', true],
  ['stringData', false],
] as const;
const CONFIGMAP_FIELDS = [
  ['data', false],
  ['binaryData', true],
] as const;

// toObjectData reads a Secret or ConfigMap document into name and decoded keys; values may be secret, so errors
// never quote them.
function toObjectData(
  value: Record<string, unknown>,
  kind: 'Secret' | 'ConfigMap',
  fields: readonly (readonly [string, boolean])[],
  source: string,
  line: number,
  errors: DocumentError[],
): SecretDocument | undefined {
  const meta = isRecord(value.metadata) ? value.metadata : {};
  if (typeof meta.name !== 'string' || meta.name === '') {
    errors.push({
      source,
      line,
      path: 'metadata.name',
      code: 'POLICY_FIELD_REQUIRED',
      message: `a ${kind} needs a name`,
    });
    return undefined;
  }
  const data: Record<string, string> = {};
  let ok = true;
  for (const [field, decode] of fields) {
    const entries = value[field];
    if (entries === undefined || entries === null) continue;
    if (!isRecord(entries)) {
      errors.push({
        source,
        line,
        path: field,
        code: 'POLICY_FIELD_TYPE',
        message: 'expected a mapping of keys to strings',
      });
      ok = false;
      continue;
    }
    for (const [k, v] of Object.entries(entries)) {
      if (typeof v !== 'string' || (decode && !BASE64.test(v))) {
        errors.push({
          source,
          line,
          path: `${field}.${k}`,
          code: 'POLICY_FIELD_VALUE',
          message: decode ? 'not valid base64' : 'expected a string',
        });
        ok = false;
        continue;
      }
      data[k] = decode ? Buffer.from(v, 'base64').toString('utf8') : v;
    }
  }
  if (!ok) return undefined;
  return {
    name: meta.name,
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
    data,
    source,
    line,
  };
}

// toSegments turns `spec.authorities[1].cosign.key (Secret …)` into YAML path segments.
function toSegments(path: string): (string | number)[] {
  const bare = path.split(' ')[0] ?? '';
  const segments: (string | number)[] = [];
  for (const part of bare.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return segments;
    if (m[1]) segments.push(m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
  }
  return segments;
}

// positionOfPath finds the deepest existing step of a field path: the key of a mapping entry, or a list item.
function positionOfPath(doc: Document.Parsed, lc: LineCounter, path: string): TextPosition | undefined {
  const segments = toSegments(path);
  for (let n = segments.length; n > 0; n--) {
    const parent: unknown = n === 1 ? doc.contents : doc.getIn(segments.slice(0, n - 1), true);
    const offset = stepOffset(parent, segments[n - 1]);
    if (offset !== undefined) {
      const { line, col } = lc.linePos(offset);
      return { line, column: col };
    }
  }
  return undefined;
}

// stepOffset is where one path step starts in the text: a mapping key, or a list item.
function stepOffset(parent: unknown, step: string | number | undefined): number | undefined {
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
    const node: unknown = pair?.key;
    return isNode(node) ? node.range?.[0] : undefined;
  }
  if (isSeq(parent) && typeof step === 'number') {
    const node: unknown = parent.items[step];
    return isNode(node) ? node.range?.[0] : undefined;
  }
  return undefined;
}

/** A SecretLookup over Secrets read from files; Secrets without a namespace live in `defaultNamespace`. */
export function secretLookupFrom(
  secrets: readonly SecretDocument[],
  defaultNamespace = 'default',
): SecretLookup {
  const byKey = new Map(secrets.map((s) => [`${s.namespace ?? defaultNamespace}/${s.name}`, s.data]));
  return { get: (namespace: string, name: string) => byKey.get(`${namespace}/${name}`) };
}

/** A ConfigMapLookup over ConfigMaps read from files; ConfigMaps without a namespace live in `defaultNamespace`. */
export function configMapLookupFrom(
  configMaps: readonly ConfigMapDocument[],
  defaultNamespace = 'default',
): ConfigMapLookup {
  return secretLookupFrom(configMaps, defaultNamespace);
}
