import type { CompiledNotaryRootKey, CompiledNotaryV1Authority } from '../compile/compiled.types';
import type { NotaryV1Authority } from '../crd/crd.types';
import { isPolicyError, type FieldError } from '../errors';
import { parseNotaryRootKeys } from './notary-keys';
import { quote } from '../crd/schema-validate';
import { normaliseServiceUrl } from './service-url';

/** A delegation role name as Notary allows it: `targets/` then path segments, no `..`. */
const DELEGATION_ROLE = /^targets(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/;
/** Hosts that may be reached over plain HTTP (tests and port-forwards); everything else needs HTTPS. */

/**
 * Compiles a `notaryV1` authority: the server URL is checked and normalised, the pinned root keys parsed
 * once. Problems are pushed to `errors` with their field path; the result is then not to be used.
 */
export function compileNotaryV1Authority(
  name: string,
  spec: NotaryV1Authority,
  at: string,
  errors: FieldError[],
): CompiledNotaryV1Authority {
  let rootKeys: CompiledNotaryRootKey[] = [];
  try {
    rootKeys = parseNotaryRootKeys(spec.rootKeys, `${at}.rootKeys`);
  } catch (error) {
    if (!isPolicyError(error)) throw error;
    errors.push(...error.fieldErrors);
  }
  const delegations = spec.delegations ?? [];
  delegations.forEach((role, i) => {
    if (!DELEGATION_ROLE.test(role) || role.split('/').includes('..')) {
      errors.push({
        path: `${at}.delegations[${i}]`,
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(role)} is not a delegation role: expected a name like "targets/releases"`,
      });
    } else if (delegations.indexOf(role) !== i) {
      errors.push({
        path: `${at}.delegations[${i}]`,
        code: 'POLICY_FIELD_VALUE',
        message: `${quote(role)} is listed twice`,
      });
    }
  });
  return {
    kind: 'notaryV1',
    name,
    referenceBound: true,
    server: normaliseServiceUrl(spec.server, `${at}.server`, errors, {
      label: 'notary server URL',
      example: 'https://notary.example.com',
      credentialsHint: 'put them in a pull secret for the notary host',
    }),
    rootKeys,
    delegations: [...delegations],
  };
}
