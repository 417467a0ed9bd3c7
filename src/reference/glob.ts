/*
 * Image globs, as written in a policy's `spec.images[].glob`.
 *
 * - A glob matches the normalised name `registry/repository` (no tag, no digest), anchored at both ends.
 * - `*` matches any run of characters except `/` (possibly none). `**` matches any run including `/`
 *   (possibly none). Since names have no empty segments, `registry.example.com/team/**` matches
 *   `registry.example.com/team/app` and `registry.example.com/team/a/b` but NOT `registry.example.com/team`
 *   itself: list that as a second glob if it is meant. `a/**` + `/b` needs at least one segment between.
 * - The glob `**` on its own matches every image on every registry.
 * - Every other character is literal: `.` is a dot, `?` and `[` ranges are not wildcards (`?` is rejected).
 * - The glob is normalised like a reference name. A first segment is a registry host only when it contains
 *   `.` or `:` or is `localhost`; otherwise the glob is on `docker.io`. A single-segment path on Docker Hub
 *   gets `library/`: `nginx` and `docker.io/nginx` mean `docker.io/library/nginx`, and `*` means every
 *   official image `docker.io/library/*`; `team/**` means `docker.io/team/**`; `docker.io/**` is all of
 *   Docker Hub. `index.docker.io` is `docker.io`. Hosts are lower-cased (images' hosts are too).
 * - A port is part of the host: `registry.example.com/**` does not match `registry.example.com:443/app`.
 * - `*` may appear in the host (`*.example.com/**`); `**` may not, since it could reach into the path.
 * - Rejected (REFERENCE_INVALID_GLOB): empty, whitespace or non-ASCII, a tag or digest, `***`, `?`,
 *   empty segments, uppercase in the path, a host or path segment the reference grammar forbids.
 *
 * Matching does not use RegExp: a backtracking engine is polynomial on globs like `*a*a*a*a*b`, and
 * namespaced ImagePolicy authors are not fully trusted. A compiled glob is a token list matched by a
 * set-of-states walk, O(name length × glob length), with no allocation beyond two small arrays.
 */
import { hostProblem, isHostComponent, pathProblem } from './components';
import { invalidGlob } from './errors';
import {
  DOCKER_HUB,
  DOCKER_HUB_LEGACY,
  MAX_GLOB_LENGTH,
  MAX_NAME_LENGTH,
  OFFICIAL_NAMESPACE,
} from './limits';
import type { ImageMatcher } from './reference.types';

const STAR = -1;
const GLOBSTAR = -2;
const SLASH = 0x2f;
const GLOB_CHARS = /^[A-Za-z0-9._\-/:[\]*]+$/;
const HOST_GLOB_CHARS = /^[A-Za-z0-9.\-:[\]*]+$/;
const PATH_GLOB_SEGMENT = /^[a-z0-9._*-]+$/;

/** A compiled image glob: `glob` as written, `normalized` as matched (e.g. `docker.io/library/nginx`). */
export class CompiledImageGlob implements ImageMatcher {
  constructor(
    readonly glob: string,
    readonly normalized: string,
    private readonly tokens: Int32Array,
  ) {}

  /** Whether a normalised `ImageRef.name` matches; names longer than any valid name never match. */
  matches(name: string): boolean {
    if (name.length > MAX_NAME_LENGTH) return false;
    return matchTokens(this.tokens, name);
  }
}

/**
 * Validates, normalises and compiles a policy image glob, once per policy change.
 * Throws {@link ImageReferenceError} with code `REFERENCE_INVALID_GLOB`, saying why.
 */
export function compileImageGlob(glob: string): CompiledImageGlob {
  checkGlobText(glob);
  const normalized = glob === '**' ? '**' : normalizeGlob(glob);
  return new CompiledImageGlob(glob, normalized, tokenize(normalized));
}

// checkGlobText rejects what no glob may contain, before any structure is looked at.
function checkGlobText(glob: string): void {
  if (typeof glob !== 'string' || glob === '') throw invalidGlob(String(glob), 'the glob is empty');
  if (glob.length > MAX_GLOB_LENGTH)
    throw invalidGlob(glob, `it is longer than ${MAX_GLOB_LENGTH} characters`);
  if (glob.includes('@')) throw invalidGlob(glob, 'globs match image names; remove the digest');
  if (glob.includes('?')) throw invalidGlob(glob, "'?' is not a wildcard here; use '*'");
  if (!GLOB_CHARS.test(glob)) {
    throw invalidGlob(glob, "it may contain only letters, digits, '.', '_', '-', '/', ':', '[', ']' and '*'");
  }
  if (glob.includes('***')) throw invalidGlob(glob, "'***' is ambiguous; use '*' or '**'");
  if (glob.split('/').includes('')) {
    throw invalidGlob(glob, "it has an empty segment (a leading, trailing or doubled '/')");
  }
}

// normalizeGlob applies the reference rules (host detection, Docker Hub, library/) to a glob.
function normalizeGlob(glob: string): string {
  const slash = glob.indexOf('/');
  const first = slash < 0 ? '' : glob.slice(0, slash);
  const hasHost = slash >= 0 && isHostComponent(first);
  let registry = DOCKER_HUB;
  let path = hasHost ? glob.slice(slash + 1) : glob;
  if (hasHost) {
    registry = checkHostGlob(glob, first).toLowerCase();
    if (registry === DOCKER_HUB_LEGACY) registry = DOCKER_HUB;
  }
  checkPathGlob(glob, path);
  if (registry === DOCKER_HUB && !path.includes('/') && !path.includes('**')) {
    path = `${OFFICIAL_NAMESPACE}/${path}`;
  }
  return `${registry}/${path}`;
}

// checkHostGlob validates the registry part; wildcards are allowed within it, '**' is not.
function checkHostGlob(glob: string, host: string): string {
  if (host.includes('**')) throw invalidGlob(glob, "'**' cannot be used in the registry host; use '*'");
  if (!host.includes('*')) {
    const problem = hostProblem(host);
    if (problem !== undefined) throw invalidGlob(glob, problem);
  } else if (!HOST_GLOB_CHARS.test(host)) {
    throw invalidGlob(glob, `registry host "${host}" is not valid`);
  }
  return host;
}

// checkPathGlob validates the repository part segment by segment, wildcards aside.
function checkPathGlob(glob: string, path: string): void {
  if (path.includes(':'))
    throw invalidGlob(
      glob,
      "globs match image names without a tag; remove ':…' (an images entry's tags limit it to tags)",
    );
  if (/[A-Z]/.test(path)) throw invalidGlob(glob, 'repository names are lowercase, so it could never match');
  for (const segment of path.split('/')) {
    const problem = segment.includes('*')
      ? PATH_GLOB_SEGMENT.test(segment)
        ? undefined
        : `path segment "${segment}" is not valid`
      : pathProblem(segment);
    if (problem !== undefined) throw invalidGlob(glob, problem);
  }
}

// tokenize turns the normalised glob into char codes, STAR and GLOBSTAR.
function tokenize(normalized: string): Int32Array {
  const tokens: number[] = [];
  for (let i = 0; i < normalized.length; i++) {
    if (normalized[i] !== '*') {
      tokens.push(normalized.charCodeAt(i));
    } else if (normalized[i + 1] === '*') {
      tokens.push(GLOBSTAR);
      i++;
    } else {
      tokens.push(STAR);
    }
  }
  return Int32Array.from(tokens);
}

// matchTokens walks the name once, tracking every glob position that could be reached so far.
function matchTokens(tokens: Int32Array, name: string): boolean {
  const m = tokens.length;
  let current = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  current[0] = 1;
  closeOverWildcards(tokens, current);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    next.fill(0);
    let any = false;
    for (let s = 0; s < m; s++) {
      if (current[s] === 0) continue;
      const t = tokens[s] as number;
      if (t === GLOBSTAR || (t === STAR && c !== SLASH)) next[s] = 1;
      else if (t === c) next[s + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    closeOverWildcards(tokens, next);
    [current, next] = [next, current];
  }
  return current[m] === 1;
}

// closeOverWildcards lets every reached wildcard also match nothing.
function closeOverWildcards(tokens: Int32Array, states: Uint8Array): void {
  for (let s = 0; s < tokens.length; s++) {
    if (states[s] === 1 && (tokens[s] as number) < 0) states[s + 1] = 1;
  }
}
