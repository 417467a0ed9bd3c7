import { readFileSync } from 'node:fs';
import { parseTrustedRoot } from '../../policy/authorities/trusted-root';
import type { CompiledTrustedRoot } from '../../policy/compile/compiled.types';

/** The TUF mirror whose seed we embed; its trusted_root.json is the public-good Sigstore root. */
export const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
const TRUSTED_ROOT_TARGET = 'trusted_root.json';

let embedded: CompiledTrustedRoot | undefined;

/**
 * The public-good Sigstore TrustedRoot that ships with the package (the TUF seed of @sigstore/tuf), so
 * that keyless verification works offline. Parsed once. A broken seed is a packaging bug: it throws.
 */
export function embeddedPublicGoodRoot(): CompiledTrustedRoot {
  if (embedded !== undefined) return embedded;
  const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8')) as Record<
    string,
    { targets?: Record<string, string> } | undefined
  >;
  const b64 = seeds[PUBLIC_GOOD_MIRROR]?.targets?.[TRUSTED_ROOT_TARGET];
  if (b64 === undefined)
    throw new Error(`@sigstore/tuf seeds.json has no ${TRUSTED_ROOT_TARGET} for ${PUBLIC_GOOD_MIRROR}`);
  const parsed = parseTrustedRoot(Buffer.from(b64, 'base64').toString('utf8'), 'public-good (embedded)');
  if (typeof parsed === 'string') throw new Error(`embedded public-good trusted root: ${parsed}`);
  embedded = parsed;
  return parsed;
}
