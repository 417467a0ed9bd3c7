import type { JsonPatchOp } from '../../src/admission';

// unescape undoes RFC 6901 escaping of one segment.
const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * A tiny RFC 6902 applier for `test` and `replace` on existing members and `add` of an object member (all
 * /mutate emits); it throws like the API server would, so tests can play the API server between /mutate and
 * /validate.
 */
export function applyPatch(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  const copy = structuredClone(doc);
  for (const op of ops) {
    const segments = op.path.split('/').slice(1).map(unescape);
    const last = segments.pop();
    let parent: unknown = copy;
    for (const s of segments) parent = (parent as Record<string, unknown>)[s];
    const isObject = typeof parent === 'object' && parent !== null && !Array.isArray(parent);
    if (op.op === 'add' && isObject && last !== undefined) {
      (parent as Record<string, unknown>)[last] = structuredClone(op.value);
      continue;
    }
    if (typeof parent !== 'object' || parent === null || last === undefined || !(last in parent)) {
      throw new Error(`path ${op.path} does not exist`);
    }
    const holder = parent as Record<string, unknown>;
    if (op.op === 'test' && holder[last] !== op.value) throw new Error(`test failed at ${op.path}`);
    if (op.op === 'replace') holder[last] = op.value;
  }
  return copy;
}
