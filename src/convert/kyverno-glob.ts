// Kyverno `imageReferences` patterns → Portcullis globs. Kyverno matches a pattern against the image as
// `registry/path:tag` (or `registry/path@digest`), with `*` matching any run of characters including `/` and `?`
// one character. Portcullis globs match the name alone.

/** The outcome of translating one pattern. */
export type KyvernoGlob =
  | { readonly kind: 'glob'; readonly glob: string; readonly byTag: boolean }
  | { readonly kind: 'never'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string };

const HOST = /[.:]|^localhost$/;

// translateKyvernoPattern translates one imageReferences entry.
export function translateKyvernoPattern(pattern: string): KyvernoGlob {
  if (pattern === '*') return { kind: 'glob', glob: '**', byTag: false };
  if (pattern.includes('?'))
    return { kind: 'refuse', reason: '"?" matches one character; Portcullis globs have no counterpart' };
  if (pattern.includes('@'))
    return { kind: 'refuse', reason: 'it names a digest; Portcullis globs select image names' };
  const slash = pattern.indexOf('/');
  const host = slash < 0 ? '' : pattern.slice(0, slash);
  if (!HOST.test(host) || host.includes('*'))
    return {
      kind: 'refuse',
      reason:
        'it names no fixed registry host; Kyverno\'s "*" would then also reach across the host, which Portcullis globs cannot. ' +
        'Write the registry (e.g. docker.io/…) and convert again',
    };
  if (host === 'docker.io' || host === 'index.docker.io')
    return {
      kind: 'refuse',
      reason: 'Kyverno spells official Docker Hub images without library/; write the glob by hand',
    };
  const lastSlash = pattern.lastIndexOf('/');
  const colon = pattern.indexOf(':', lastSlash);
  if (colon >= 0) {
    const tag = pattern.slice(colon + 1);
    if (tag !== '*')
      return {
        kind: 'refuse',
        reason: `it selects the tag "${tag}"; Portcullis globs select image names, whatever the tag`,
      };
    return { kind: 'glob', glob: pattern.slice(0, colon).replace(/\*+/g, '**'), byTag: true };
  }
  if (!pattern.endsWith('*'))
    return {
      kind: 'never',
      reason:
        'Kyverno matches patterns against the reference with its tag or digest, so a pattern without a trailing * or :* never matches; it was left out',
    };
  const stem = pattern.replace(/\*+$/, '');
  if (stem.includes('*') && !(stem.split('*').pop() ?? '').includes('/'))
    return {
      kind: 'refuse',
      reason:
        'a "*" before the last literal part could match inside the tag, which Portcullis globs never see',
    };
  return { kind: 'glob', glob: pattern.replace(/\*+/g, '**'), byTag: false };
}
