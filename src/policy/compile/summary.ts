import type { PolicySummary } from '../crd/crd.types';
import { MAX_SUMMARY_ITEMS, MAX_SUMMARY_LENGTH } from '../crd/schema';
import { isRecord } from '../../guards';

const AUTHORITY_KINDS = ['cosign', 'notaryV1', 'notation', 'ociVault', 'simpleSigning'] as const;

// listOf reads an array field of an unvalidated spec; anything else reads as empty.
function listOf(spec: Record<string, unknown>, field: string): unknown[] {
  const value = spec[field];
  return Array.isArray(value) ? value : [];
}

// shorten names the first MAX_SUMMARY_ITEMS entries and counts the rest: `a, b, c +2`.
function shorten(names: readonly string[]): string {
  const shown = names.slice(0, MAX_SUMMARY_ITEMS).join(', ');
  const rest = names.length - MAX_SUMMARY_ITEMS;
  const text = rest > 0 ? `${shown} +${rest}` : shown;
  return text.length > MAX_SUMMARY_LENGTH ? `${text.slice(0, MAX_SUMMARY_LENGTH - 1)}…` : text;
}

// authorityLabel shows an authority as `name(kind)`, the kind being whichever verifier field is set.
function authorityLabel(a: unknown): string | undefined {
  if (!isRecord(a) || typeof a.name !== 'string') return undefined;
  const kind = AUTHORITY_KINDS.find((k) => a[k] !== undefined);
  return kind === undefined ? a.name : `${a.name}(${kind})`;
}

// imageLabel shows an images entry as its glob, with its tags as a reference would name them: `repo:v1`,
// `repo:{v1,v2}`.
function imageLabel(entry: unknown): string | undefined {
  if (!isRecord(entry) || typeof entry.glob !== 'string') return undefined;
  const tags = Array.isArray(entry.tags) ? entry.tags.filter((t) => typeof t === 'string') : [];
  if (tags.length === 0) return entry.glob;
  return tags.length === 1 ? `${entry.glob}:${tags[0]}` : `${entry.glob}:{${tags.join(',')}}`;
}

/**
 * What `kubectl get` shows of a policy: its globs and authorities, shortened. Printer-column JSONPath prints only
 * the first match of `[*]` and cannot join or count, so Portcullis writes this into status. The spec is read
 * as sent (unvalidated, attacker-influenced): a summary of a broken policy is still useful next to its REASON.
 */
export function toPolicySummary(spec: unknown): PolicySummary {
  const s = isRecord(spec) ? spec : {};
  const globs = listOf(s, 'images').flatMap((i) => imageLabel(i) ?? []);
  const authorities = listOf(s, 'authorities').flatMap((a) => authorityLabel(a) ?? []);
  return { images: shorten(globs), authorities: shorten(authorities) };
}
