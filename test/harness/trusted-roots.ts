// Sigstore TrustedRoot documents for tests: the public-good one that @sigstore/tuf ships, and variants of it.
import { readFileSync } from 'node:fs';

/** The text of the public-good trusted_root.json in @sigstore/tuf's seeds (what the package embeds). */
export function publicGoodRootText(): string {
  const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8')) as Record<
    string,
    { targets: Record<string, string> } | undefined
  >;
  const b64 = seeds['https://tuf-repo-cdn.sigstore.dev']?.targets['trusted_root.json'];
  if (b64 === undefined) throw new Error('@sigstore/tuf seeds.json has no public-good trusted_root.json');
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** A different but valid trusted root: the public-good one with its first Rekor log moved to `baseUrl`. */
export function rootWithRekorAt(baseUrl: string): string {
  const json = JSON.parse(publicGoodRootText()) as { tlogs: { baseUrl: string }[] };
  const first = json.tlogs[0];
  if (first) first.baseUrl = baseUrl;
  return JSON.stringify(json, null, 2);
}

/** A document with the right media type that can verify nothing (parseTrustedRoot refuses it). */
export const EMPTY_TRUSTED_ROOT = JSON.stringify({
  mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json',
  tlogs: [],
  certificateAuthorities: [],
});
