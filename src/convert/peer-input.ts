// Reading a peer's policy objects for the `policy from-*` converters: bounded multi-document YAML, and a field
// reader that makes every converter account for every field it is given (a field nobody took is refused).
import { parseAllDocuments } from 'yaml';
import { MAX_DOCUMENTS_PER_FILE, MAX_POLICY_FILE_BYTES, MAX_YAML_ALIASES } from '../policy/crd/documents';
import { isRecord } from '../guards';
import { convertInvalid, type ConversionRecorder } from './report';

// parsePeerDocuments splits a (multi-document) YAML file into its objects; empty documents are skipped.
export function parsePeerDocuments(text: string, from: string): Record<string, unknown>[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_FILE_BYTES)
    throw convertInvalid(from, `the file is larger than ${MAX_POLICY_FILE_BYTES} bytes`);
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length > MAX_DOCUMENTS_PER_FILE)
    throw convertInvalid(from, `more than ${MAX_DOCUMENTS_PER_FILE} documents`);
  const out: Record<string, unknown>[] = [];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0)
      throw convertInvalid(from, `document ${i + 1} is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
    const value: unknown = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    if (value === null || value === undefined) return;
    if (!isRecord(value)) throw convertInvalid(from, `document ${i + 1} is not an object`);
    out.push(value);
  });
  if (out.length === 0) throw convertInvalid(from, 'the file holds no objects');
  return out;
}

/**
 * Walks one object of the input. Each field a converter maps, reports or refuses is taken; `finish()` refuses
 * every field nobody took, since a field Portcullis does not know could widen or narrow what is admitted.
 */
export class FieldReader {
  private readonly taken = new Set<string>();

  constructor(
    readonly value: Readonly<Record<string, unknown>>,
    /** e.g. `ClusterPolicy/check-image spec.rules[0]`. */
    readonly path: string,
    private readonly rec: ConversionRecorder,
    private readonly from: string,
  ) {}

  // at names a field of this object in findings.
  at(key: string): string {
    return this.path.endsWith(' ') ? `${this.path}${key}` : `${this.path}.${key}`;
  }

  // has tells whether the field is present (not absent and not null).
  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  // take marks the field as handled and returns it.
  take(key: string): unknown {
    this.taken.add(key);
    const v = this.value[key];
    return v === null ? undefined : v;
  }

  // str takes a string field; anything but a string or absence is invalid input.
  str(key: string): string | undefined {
    const v = this.take(key);
    if (v === undefined || typeof v === 'string') return v;
    throw convertInvalid(this.from, `${this.at(key)} must be a string`);
  }

  // bool takes a boolean field.
  bool(key: string): boolean | undefined {
    const v = this.take(key);
    if (v === undefined || typeof v === 'boolean') return v;
    throw convertInvalid(this.from, `${this.at(key)} must be true or false`);
  }

  // int takes a non-negative integer field.
  int(key: string): number | undefined {
    const v = this.take(key);
    if (v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) return v;
    throw convertInvalid(this.from, `${this.at(key)} must be a non-negative integer`);
  }

  // obj takes an object field as a reader of its own.
  obj(key: string): FieldReader | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!isRecord(v)) throw convertInvalid(this.from, `${this.at(key)} must be an object`);
    return new FieldReader(v, this.at(key), this.rec, this.from);
  }

  // list takes a list of objects, each as a reader.
  list(key: string): FieldReader[] {
    const v = this.take(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw convertInvalid(this.from, `${this.at(key)} must be a list`);
    return v.map((item: unknown, i) => {
      if (!isRecord(item)) throw convertInvalid(this.from, `${this.at(key)}[${i}] must be an object`);
      return new FieldReader(item, `${this.at(key)}[${i}]`, this.rec, this.from);
    });
  }

  // strings takes a list of strings.
  strings(key: string): string[] {
    const v = this.take(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
      throw convertInvalid(this.from, `${this.at(key)} must be a list of strings`);
    return v as string[];
  }

  // untaken lists the fields no one took, for a peer whose API server prunes unknown fields instead.
  untaken(): string[] {
    return Object.keys(this.value).filter((key) => !this.taken.has(key) && this.value[key] !== null);
  }

  // finish refuses every field that no one took.
  finish(): void {
    for (const key of this.untaken()) {
      this.rec.refuse(
        this.at(key),
        `unknown field "${key}": the converter does not know what it does to admission, so it cannot leave it out`,
      );
    }
  }
}

/** Reader for a peer object's top level: `${kind}/${name}` plus a space, so fields print as `Kind/name spec.x`. */
export function topReader(
  value: Record<string, unknown>,
  kind: string,
  name: string,
  rec: ConversionRecorder,
  from: string,
): FieldReader {
  return new FieldReader(value, `${kind}/${name} `, rec, from);
}

/** Turns any text into a DNS label for metadata.name and authority names (at most 63 characters). */
export function toDnsLabel(text: string, fallback: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? fallback : label;
}
