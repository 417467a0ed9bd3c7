import { readFlagFile } from '../app/options';
import { policiesFromPolicyController } from '../convert/policy-controller';
import { writeConversion, type ConvertOutputFlags } from './convert-output';

/**
 * `portcullis policy from-policy-controller FILE`: prints ClusterImagePolicies for the sigstore policy-controller
 * ClusterImagePolicies in FILE (docs/migration.md#from-sigstore-policy-controller).
 */
export function fromPolicyController(file: string, flags: ConvertOutputFlags): Promise<number> {
  const conversion = policiesFromPolicyController(readFlagFile('policy from-policy-controller', file));
  return writeConversion(conversion, 'from-policy-controller', file, flags);
}
