// policy-controller image globs → Portcullis globs. policy-controller matches a glob against the image's
// fully-qualified reference *with its digest* (its webhook only admits `name@sha256:<hex>`, Docker Hub spelled
// `index.docker.io`), falling back to the reference as written; `*` is `[^/]*` and `**` is `.*`. Portcullis
// matches the name alone. A glob is translated only when both select the same names.

/** The outcome of translating one glob. */
export type GlobTranslation =
  | { readonly kind: 'globs'; readonly globs: readonly string[] }
  | { readonly kind: 'never'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string };

/** Characters of the `@sha256:<hex>` suffix that a trailing literal could be matched against. */
const DIGEST_SUFFIX_CHARS = /^[@sha256:0-9a-f]+$/;
const HOST_MARKERS = /[.:]|^localhost$/;

// translatePolicyControllerGlob translates one `spec.images[].glob`.
export function translatePolicyControllerGlob(glob: string): GlobTranslation {
  if (glob === '**' || glob === '*' || glob === '*/*') return { kind: 'globs', globs: [glob] };
  if (glob.includes('@'))
    return { kind: 'refuse', reason: 'it names a digest; Portcullis globs select image names, not digests' };
  if (!glob.endsWith('*'))
    return {
      kind: 'never',
      reason:
        'policy-controller matches globs against the reference with its digest (name@sha256:…), so a glob that does ' +
        'not end in * or ** never matches an image it admits; it was left out',
    };
  const trailing = glob.endsWith('**') ? '**' : '*';
  const stem = glob.slice(0, glob.length - trailing.length);
  const lastRun = stem.split('*').pop() ?? '';
  if (stem.includes('*') && lastRun !== '' && DIGEST_SUFFIX_CHARS.test(lastRun))
    return {
      kind: 'refuse',
      reason: `its wildcard before "${lastRun}" can reach into the digest (@sha256:…), which Portcullis globs never see`,
    };
  if (stem.includes(':', stem.indexOf('/') + 1) && stem.includes('/'))
    return { kind: 'refuse', reason: 'it selects tags; Portcullis globs select image names only' };
  const middle = /^\*\*([a-z0-9._-]+)\*\*$/.exec(glob);
  if (middle !== null) return containsGlobs(middle[1] ?? '');
  const first = glob.split('/')[0] ?? '';
  if (!glob.includes('/') || !HOST_MARKERS.test(first) || first.includes('*'))
    return {
      kind: 'refuse',
      reason:
        'it names no registry host; policy-controller then matches it only against the reference as written in ' +
        'the pod (e.g. `nginx@sha256:…` but not `docker.io/library/nginx@sha256:…`), which Portcullis cannot ' +
        'express. Write the glob with its registry (index.docker.io/library/…) and convert again',
    };
  if (first.toLowerCase() === 'docker.io')
    return {
      kind: 'refuse',
      reason: 'policy-controller spells Docker Hub index.docker.io, so a docker.io glob never matches there',
    };
  return { kind: 'globs', globs: [glob] };
}

// containsGlobs expresses `**x**` (x anywhere in host or path; x has no `/` and, as checked, cannot sit in the
// digest). Portcullis reads a first segment as a host only when it has `.` or `:` or is localhost, so each host
// shape gets its own glob.
function containsGlobs(x: string): GlobTranslation {
  if (DOCKER_HUB_PC.includes(x) && !DOCKER_HUB.includes(x))
    return {
      kind: 'refuse',
      reason: `policy-controller sees Docker Hub as ${DOCKER_HUB_PC}, which holds "${x}"`,
    };
  const inHost = [`*${x}*.*/**`, `*.*${x}*/**`, `*${x}*:*/**`];
  const inPath = [`*.*/**${x}**`, `*:*/**${x}**`, `localhost/**${x}**`];
  return { kind: 'globs', globs: [...inHost, ...inPath] };
}

const DOCKER_HUB_PC = 'index.docker.io';
const DOCKER_HUB = 'docker.io';
