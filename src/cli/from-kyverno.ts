import { readFlagFile } from '../app/options';
import { policiesFromKyverno } from '../convert/kyverno';
import { writeConversion, type ConvertOutputFlags } from './convert-output';

/**
 * `portcullis policy from-kyverno FILE`: prints Portcullis policies for the Kyverno verifyImages rules and
 * ImageValidatingPolicies in FILE, with every finding as a comment and on stderr (docs/migration.md#from-kyverno).
 */
export function fromKyverno(file: string, flags: ConvertOutputFlags): Promise<number> {
  const conversion = policiesFromKyverno(
    readFlagFile('policy from-kyverno', file),
    flags.namespace === undefined ? {} : { namespace: flags.namespace },
  );
  return writeConversion(conversion, 'from-kyverno', file, flags);
}
