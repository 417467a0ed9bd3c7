// Turns a peer's image pattern (Connaisseur `policy[].pattern`, Portieris `repositories[].name`) into Portcullis
// globs. In both peers `*` in a repository path matches any characters including `/`, which is our `**`.
import { compileImageGlob } from '../reference/glob';
import { isHostComponent } from '../reference/components';

/** Docker Hub as our globs spell it. */
const DOCKER_HUB = 'docker.io';

/**
 * Converts a pattern without tag or digest (`host/path`, `path`, or `*`) into one glob, or returns why it
 * cannot. `*` in the host stays `*` (our host globs stop at `/`); in the path it becomes `**`. A pattern
 * without a registry is on Docker Hub, a single segment under `library/`, as the peers normalise.
 */
export function patternToGlob(name: string): string | { readonly problem: string } {
  const collapsed = name.replace(/\*+/g, '*');
  if (collapsed === '*' || collapsed === '') return '**';
  const parts = collapsed.split('/');
  const first = parts[0] as string;
  const hasHost = parts.length > 1 && (isHostComponent(first) || first.includes('*.'));
  const host = hasHost ? first : DOCKER_HUB;
  const rest = hasHost ? parts.slice(1) : parts;
  if (host === DOCKER_HUB && rest.length === 1 && rest[0] !== '*') rest.unshift('library');
  const glob = `${host === 'index.docker.io' ? DOCKER_HUB : host}/${rest.join('/').replace(/\*/g, '**')}`;
  try {
    return compileImageGlob(glob).glob;
  } catch (error) {
    return { problem: `it converts to the glob "${glob}", which is not valid: ${(error as Error).message}` };
  }
}

/** Whether the pattern names a registry (else the peer looks on Docker Hub). */
export function patternHasHost(name: string): boolean {
  const parts = name.split('/');
  return parts.length > 1 && (isHostComponent(parts[0] as string) || (parts[0] as string).includes('*.'));
}
