import { compilePolicy } from '../policy/compile/compile';
import { policiesFromHpvs, toPolicyYaml } from '../convert/hpvs';
import { EXIT_ALLOWED } from './errors';
import { readFlagFile } from '../app/options';

/**
 * `portcullis policy from-hpvs CONTRACT.yaml`: prints ImagePolicies with notaryV1 authorities for the
 * contract's `images.dct`. Each one is compiled before printing, so the output always lints. The contract's
 * `auths` are never read out or printed.
 */
export function fromHpvs(file: string, flags: { namespace?: string }): Promise<number> {
  const policies = policiesFromHpvs(readFlagFile('policy from-hpvs', file), flags);
  const secrets = { get: () => undefined };
  for (const p of policies) compilePolicy(p, { secrets, defaultNamespace: flags.namespace ?? 'default' });
  process.stdout.write(toPolicyYaml(policies, file));
  return Promise.resolve(EXIT_ALLOWED);
}
