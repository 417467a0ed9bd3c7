// `portcullis policy from-containers-policy POLICY.JSON`: read the file and the key files it names, convert, print.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { convertContainersPolicy, MAX_CONTAINERS_POLICY_BYTES } from '../convert/containers-policy';
import type { NoMatchSetting } from '../convert/most-specific';
import { readFlagFile } from '../app/options';
import { writeConversion } from './convert-output';
import { ConfigError } from './errors';

/** Largest key file (GPG keyring or PEM key) read for a policy.json requirement. */
export const MAX_CONTAINERS_POLICY_KEY_BYTES = 1024 * 1024;
const NO_MATCH: readonly NoMatchSetting[] = ['deny', 'warn', 'allow'];

/** Flags of `policy from-containers-policy`. */
export interface FromContainersPolicyFlags {
  readonly keyDir?: string;
  readonly lookaside?: string;
  readonly noMatch?: string;
  readonly report?: string;
}

/** Prints ClusterImagePolicies for a containers-policy.json(5). */
export function fromContainersPolicy(file: string, flags: FromContainersPolicyFlags): Promise<number> {
  const noMatch = flags.noMatch ?? 'deny';
  if (!(NO_MATCH as readonly string[]).includes(noMatch))
    throw new ConfigError('CONFIG_INVALID_FLAG', `--no-match ${noMatch}: expected ${NO_MATCH.join(', ')}`);
  const text = readFlagFile('policy from-containers-policy', file);
  if (Buffer.byteLength(text) > MAX_CONTAINERS_POLICY_BYTES)
    throw new ConfigError('CONFIG_INVALID_FLAG', `${file}: larger than ${MAX_CONTAINERS_POLICY_BYTES} bytes`);
  const conversion = convertContainersPolicy(text, {
    noMatch: noMatch as NoMatchSetting,
    readKey: (keyPath) => readKey(keyPath, flags.keyDir),
    ...(flags.lookaside ? { lookaside: flags.lookaside } : {}),
  });
  return writeConversion(conversion, 'from-containers-policy', file, {
    ...(flags.report ? { report: flags.report } : {}),
  });
}

// readKey reads a key where the policy says, or (the policy being written for another machine, e.g. a
// Confidential Containers guest's /run/image-security/…) the file of the same name in --key-dir, which wins.
function readKey(keyPath: string, keyDir: string | undefined): Buffer | { error: string } {
  const candidates = keyDir === undefined ? [keyPath] : [path.join(keyDir, path.basename(keyPath)), keyPath];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).size > MAX_CONTAINERS_POLICY_KEY_BYTES)
        return { error: `${candidate} is larger than ${MAX_CONTAINERS_POLICY_KEY_BYTES} bytes` };
      return readFileSync(candidate);
    } catch {
      continue;
    }
  }
  return {
    error: `cannot read ${candidates.join(' or ')}; copy the key next to the others and pass --key-dir DIR (the file's base name is looked up there)`,
  };
}
