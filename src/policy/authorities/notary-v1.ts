import type { CompiledNotaryRootKey, CompiledNotaryV1Authority } from '../compile/compiled.types';
import type { NotaryV1Authority } from '../crd/crd.types';
import { isPolicyError, type FieldError } from '../errors';
import { parseNotaryRootKeys } from './notary-keys';
import { quote } from '../crd/schema-validate';

/** A delegation role name as Notary allows it: `targets/` then path segments, no `..`. */
const DELEGATION_ROLE = /^targets(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/;
/** Hosts that may be reached over plain HTTP (tests and port-forwards); everything else needs HTTPS. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

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
    server: normaliseServer(spec.server, `${at}.server`, errors),
    rootKeys,
    delegations: [...delegations],
  };
}

// normaliseServer accepts an https URL (http only on loopback) without credentials, query or fragment.
function normaliseServer(text: string, path: string, errors: FieldError[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    errors.push({
      path,
      code: 'POLICY_FIELD_VALUE',
      message: `${quote(text)} is not a URL: expected e.g. https://notary.example.com`,
    });
    return text;
  }
  const problem =
    url.protocol !== 'https:' && url.protocol !== 'http:'
      ? `scheme ${url.protocol} is not https`
      : url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)
        ? 'plain http is allowed only for loopback hosts; use https'
        : url.username !== '' || url.password !== ''
          ? 'the URL must not carry credentials; put them in a pull secret for the notary host'
          : url.search !== '' || url.hash !== ''
            ? 'the URL must not have a query or fragment'
            : undefined;
  if (problem !== undefined) {
    errors.push({ path, code: 'POLICY_FIELD_VALUE', message: `notary server URL: ${problem}` });
  }
  return url.href.replace(/\/+$/, '');
}
