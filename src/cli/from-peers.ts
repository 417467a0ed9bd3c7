// `portcullis policy from-connaisseur` and `from-portieris`: read the peer's file, convert, print.
import { convertConnaisseur } from '../convert/connaisseur';
import type { NoMatchSetting } from '../convert/most-specific';
import { convertPortieris } from '../convert/portieris';
import { readFlagFile } from '../app/options';
import { writeConversion } from './convert-output';
import { ConfigError } from './errors';

const NO_MATCH: readonly NoMatchSetting[] = ['deny', 'warn', 'allow'];

/** Flags of `policy from-connaisseur`. */
export interface FromConnaisseurFlags {
  readonly noMatch?: string;
  readonly secretNamespace?: string;
  readonly report?: string;
}

/** Flags of `policy from-portieris`. */
export interface FromPortierisFlags {
  readonly noMatch?: string;
  readonly namespace?: string;
  readonly notaryRootKey?: string[];
  readonly signer?: string[];
  readonly acceptUnpinnedSigners?: boolean;
  readonly report?: string;
}

/** Prints ClusterImagePolicies for Connaisseur Helm values. */
export function fromConnaisseur(file: string, flags: FromConnaisseurFlags): Promise<number> {
  const conversion = convertConnaisseur(readFlagFile('policy from-connaisseur', file), {
    noMatch: noMatch(flags.noMatch),
    secretNamespace: flags.secretNamespace ?? 'connaisseur',
  });
  return writeConversion(conversion, 'from-connaisseur', file, {
    ...(flags.report ? { report: flags.report } : {}),
  });
}

/** Prints ImagePolicies and ClusterImagePolicies for Portieris policies. */
export function fromPortieris(file: string, flags: FromPortierisFlags): Promise<number> {
  const namespace = flags.namespace ?? 'default';
  const rootKeys = (flags.notaryRootKey ?? []).map((f) => readFlagFile('--notary-root-key', f));
  const signers = new Map<string, string>();
  for (const pair of flags.signer ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1)
      throw new ConfigError('CONFIG_INVALID_FLAG', `--signer ${pair}: expected SECRET=SIGNER`);
    signers.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const conversion = convertPortieris(readFlagFile('policy from-portieris', file), {
    noMatch: noMatch(flags.noMatch),
    namespace,
    rootKeys,
    signers,
    acceptUnpinnedSigners: flags.acceptUnpinnedSigners === true,
  });
  return writeConversion(conversion, 'from-portieris', file, {
    namespace,
    ...(flags.report ? { report: flags.report } : {}),
  });
}

// noMatch validates the --no-match the converted policies are meant for (the webhook's own default is deny).
function noMatch(value: string | undefined): NoMatchSetting {
  if (value === undefined) return 'deny';
  if ((NO_MATCH as readonly string[]).includes(value)) return value as NoMatchSetting;
  throw new ConfigError('CONFIG_INVALID_FLAG', `--no-match ${value}: expected ${NO_MATCH.join(', ')}`);
}
