// Policies and images for the namespaceSelector tests of verify, review and serve --policy-dir: one policy for
// every namespace, one selected by the name label (prod), one selected by a "team" label.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { cosignSign, generateCosignKey } from './cosign';
import { pushRandomImage } from './images';
import { cosignPolicy } from './webhook';

/** The label the API server sets on every namespace to its name. */
export const NAME_LABEL = 'kubernetes.io/metadata.name';

/** What setUpNamespaceScenario made; every image is `host/repo@sha256:…`. */
export interface NamespaceScenario {
  readonly policyDir: string;
  /** Signed only by the key of ClusterImagePolicy/everywhere (no selector). */
  readonly everywhereOnly: string;
  /** Signed by that key and by the key of ClusterImagePolicy/prod-only (name label prod). */
  readonly bothKeys: string;
  /** Unsigned; governed only by ClusterImagePolicy/team-payments (label team=payments). */
  readonly teamUnsigned: string;
}

// withSelector adds a namespaceSelector to a ClusterImagePolicy made by cosignPolicy.
function withSelector(policy: string, matchLabels: Record<string, string>): string {
  return policy.replace(
    'spec:\n',
    `spec:\n  namespaceSelector:\n    matchLabels: ${JSON.stringify(matchLabels)}\n`,
  );
}

/** Pushes and signs the images on `host` and writes the three policies to `dir`/policies. */
export async function setUpNamespaceScenario(host: string, dir: string): Promise<NamespaceScenario> {
  const policyDir = path.join(dir, 'policies');
  await mkdir(policyDir, { recursive: true });
  const [everywhereKey, prodKey] = await Promise.all([generateCosignKey(), generateCosignKey()]);
  const [a, b, c] = await Promise.all([
    pushRandomImage(host, 'nsl/app', 'everywhere-only'),
    pushRandomImage(host, 'nsl/app', 'both'),
    pushRandomImage(host, 'nsl-team/app', 'unsigned'),
  ]);
  await cosignSign(everywhereKey, a.ref, 'v3');
  await cosignSign(everywhereKey, b.ref, 'v3');
  await cosignSign(prodKey, b.ref, 'v3');
  const glob = `${host}/nsl/**`;
  const files: Record<string, string> = {
    'everywhere.yaml': cosignPolicy('everywhere', [glob], everywhereKey.publicKeyPem),
    'prod-only.yaml': withSelector(cosignPolicy('prod-only', [glob], prodKey.publicKeyPem), {
      [NAME_LABEL]: 'prod',
    }),
    'team.yaml': withSelector(cosignPolicy('team-payments', [`${host}/nsl-team/**`], prodKey.publicKeyPem), {
      team: 'payments',
    }),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(policyDir, name), text);
  return { policyDir, everywhereOnly: a.ref, bothKeys: b.ref, teamUnsigned: c.ref };
}
