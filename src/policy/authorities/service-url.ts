import type { FieldError } from '../errors';
import { quote } from '../crd/schema-validate';

/** Hosts for which plain http is allowed (local tests and sidecars); everything else must use https. */
export const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** How messages name a service URL field, e.g. `notary server URL` with the example `https://notary.example.com`. */
export interface ServiceUrlField {
  readonly label: string;
  readonly example: string;
  /** What to do instead of putting credentials in the URL. */
  readonly credentialsHint?: string;
}

/**
 * normaliseServiceUrl accepts the URL of a service the webhook fetches trust data from (a notary server, a
 * lookaside store): https, or http on loopback only (never file:// or other schemes, which would reach the
 * webhook's own disk or other protocols), without credentials, query or fragment. Drops a trailing slash.
 * Problems are added to `errors` at `path`.
 */
export function normaliseServiceUrl(
  text: string,
  path: string,
  errors: FieldError[],
  field: ServiceUrlField,
): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    errors.push({
      path,
      code: 'POLICY_FIELD_VALUE',
      message: `${quote(text)} is not a URL: expected e.g. ${field.example}`,
    });
    return text;
  }
  const credentials = `the URL must not carry credentials${field.credentialsHint ? `; ${field.credentialsHint}` : ''}`;
  const problem =
    url.protocol !== 'https:' && url.protocol !== 'http:'
      ? `scheme ${url.protocol} is not https (plain http only on loopback)`
      : url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)
        ? 'plain http is allowed only for loopback hosts; use https'
        : url.username !== '' || url.password !== ''
          ? credentials
          : url.search !== '' || url.hash !== ''
            ? 'the URL must not have a query or fragment'
            : undefined;
  if (problem !== undefined)
    errors.push({ path, code: 'POLICY_FIELD_VALUE', message: `${field.label}: ${problem}` });
  return url.href.replace(/\/+$/, '');
}
