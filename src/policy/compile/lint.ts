import { compilePolicy } from './compile';
import {
  configMapLookupFrom,
  parsePolicyDocuments,
  secretLookupFrom,
  type PolicyDocument,
  type TextPosition,
} from '../crd/documents';
import { isPolicyError, type PolicyErrorCode } from '../errors';

/** One finding of `portcullis policy lint`, pointing at a file, a line and a field path. */
export interface LintFinding {
  readonly source: string;
  readonly line?: number;
  /** 1-based column (with `line`): the field's key, the YAML error, or the document start. */
  readonly column?: number;
  readonly path: string;
  readonly code: PolicyErrorCode;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export interface LintFile {
  readonly text: string;
  readonly source: string;
}

export interface LintOptions {
  /** Namespace of ImagePolicies and Secrets that name none (as `kubectl apply` would use). Default `default`. */
  readonly defaultNamespace?: string;
}

/**
 * Lints policy files together: YAML, schema, semantic rules, and a full compile (so broken keys are caught).
 * A secretRef or configMapRef that no linted file provides is a warning (it may exist in the cluster), not an
 * error.
 */
export function lintPolicyFiles(files: readonly LintFile[], options: LintOptions = {}): LintFinding[] {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const parsed = files.map((f) => parsePolicyDocuments(f.text, f.source));
  const findings: LintFinding[] = parsed.flatMap((p) =>
    p.errors.map((e) => ({ ...e, severity: 'error' as const })),
  );
  const secrets = secretLookupFrom(
    parsed.flatMap((p) => p.secrets),
    defaultNamespace,
  );
  const configMaps = configMapLookupFrom(
    parsed.flatMap((p) => p.configMaps),
    defaultNamespace,
  );
  const seen = new Map<string, PolicyDocument>();
  for (const doc of parsed.flatMap((p) => p.policies)) {
    try {
      const policy = compilePolicy(doc.object, { secrets, configMaps, defaultNamespace });
      const first = seen.get(policy.id);
      if (first) {
        findings.push({
          source: doc.source,
          ...toLineColumn(doc.positionOf('metadata.name')),
          path: 'metadata.name',
          code: 'POLICY_DUPLICATE',
          message: `${policy.id} is already defined in ${first.source}:${first.line}`,
          severity: 'error',
        });
      } else {
        seen.set(policy.id, doc);
      }
      if (policy.images.every((e) => e.tags !== undefined))
        findings.push({
          source: doc.source,
          ...toLineColumn(doc.positionOf('spec.images')),
          path: 'spec.images',
          code: 'POLICY_TAGS_ONLY',
          message:
            `every images entry of ${policy.id} lists tags, so it does not govern digest-only references ` +
            '(repo@sha256:…) of those repositories; add an entry without tags, or make sure another policy does',
          severity: 'warning',
        });
    } catch (error) {
      if (!isPolicyError(error)) throw error;
      for (const e of error.fieldErrors) {
        const missing =
          (e.code === 'POLICY_SECRET_NOT_FOUND' || e.code === 'POLICY_CONFIGMAP_NOT_FOUND') &&
          e.message.endsWith('not found');
        findings.push({
          source: doc.source,
          ...toLineColumn(doc.positionOf(e.path)),
          path: e.path,
          code: e.code,
          message: missing ? `${e.message} among the linted files; it must exist in the cluster` : e.message,
          severity: missing ? 'warning' : 'error',
        });
      }
    }
  }
  const order = new Map(files.map((f, i) => [f.source, i]));
  return findings.sort(
    (a, b) =>
      (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

// toLineColumn names a position the way findings do.
function toLineColumn(at: TextPosition): { line: number; column: number } {
  return { line: at.line, column: at.column };
}

/** Lints one file's text. */
export function lintPolicyText(text: string, source: string, options: LintOptions = {}): LintFinding[] {
  return lintPolicyFiles([{ text, source }], options);
}

/**
 * `file:line:col: path: severity: message [CODE]`, the shape compilers print and CI annotators read. A
 * finding about the whole file (too large, too many documents) points at 1:1.
 */
export function formatLintFinding(f: LintFinding): string {
  return `${f.source}:${f.line ?? 1}:${f.column ?? 1}: ${f.path}: ${f.severity}: ${f.message} [${f.code}]`;
}
