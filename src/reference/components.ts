// Checks for the parts of a reference (host, path, tag, digest), shared by the parser and the glob compiler.
// Every pattern here is anchored and linear: separators are outside the character class they follow.
import { MAX_TAG_LENGTH, SUPPORTED_DIGESTS } from './limits';

const IPV6_HOST = /^\[[0-9a-fA-F:]*:[0-9a-fA-F:]*\]$/;
const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const PORT = /^[0-9]{1,5}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]*$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
const HEX = /^[0-9a-fA-F]+$/;
const LOWER_HEX = /^[0-9a-f]+$/;
const MAX_PORT = 65535;

// isHostComponent applies the runtime's rule for whether the first path segment names a registry host.
export function isHostComponent(first: string): boolean {
  return first === 'localhost' || first.includes('.') || first.includes(':');
}

// splitPort separates `host:port`, leaving IPv6 brackets intact, so each half can be checked alone.
export function splitPort(host: string): { hostname: string; port?: string } {
  const colon = host.startsWith('[') ? host.indexOf(':', host.indexOf(']')) : host.indexOf(':');
  if (colon < 0) return { hostname: host };
  return { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
}

// hostProblem says why a registry host (as written, any case) is not valid, or undefined when it is.
export function hostProblem(host: string): string | undefined {
  const { hostname, port } = splitPort(host);
  if (hostname.startsWith('[')) {
    if (!IPV6_HOST.test(hostname)) return `registry host "${hostname}" is not a valid IPv6 address`;
  } else if (!hostname.split('.').every((label) => HOST_LABEL.test(label))) {
    return `registry host "${hostname}" is not valid: each dot-separated label must be letters, digits and inner '-'`;
  }
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > MAX_PORT)) {
    return `registry port "${port}" must be a number from 1 to ${MAX_PORT}`;
  }
  return undefined;
}

// pathProblem says why a repository path is not valid, or undefined when it is.
export function pathProblem(path: string): string | undefined {
  if (/[A-Z]/.test(path)) return 'repository names must be lowercase';
  for (const component of path.split('/')) {
    if (component === '')
      return "the repository path has an empty segment (a leading, trailing or doubled '/')";
    if (!PATH_COMPONENT.test(component)) {
      return `path segment "${component}" must be lowercase letters and digits, separated by single '.', '_' or '__', or by '-'`;
    }
  }
  return undefined;
}

// tagProblem says why a tag is not valid, or undefined when it is.
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return "':' must be followed by a tag";
  if (tag.length > MAX_TAG_LENGTH) return `the tag is longer than ${MAX_TAG_LENGTH} characters`;
  if (!TAG.test(tag)) {
    return `tag "${tag}" must start with a letter, digit or '_' and contain only letters, digits, '_', '.' and '-'`;
  }
  return undefined;
}

/** Why a digest cannot be used: `unsupported` when well-formed but of an algorithm we cannot verify. */
export interface DigestProblem {
  readonly reason: string;
  readonly unsupported: boolean;
}

// digestProblem checks `algorithm:hex`; only sha256 and sha512 pass, since only those are verified.
export function digestProblem(digest: string): DigestProblem | undefined {
  const bad = (reason: string): DigestProblem => ({ reason, unsupported: false });
  if (digest === '') return bad("'@' must be followed by a digest such as sha256:<64 hex digits>");
  const colon = digest.indexOf(':');
  const algorithm = colon < 0 ? digest : digest.slice(0, colon);
  const hex = colon < 0 ? '' : digest.slice(colon + 1);
  if (colon < 0 || !DIGEST_ALGORITHM.test(algorithm) || !HEX.test(hex) || hex.length < 32) {
    return bad('the digest must look like sha256:<64 lowercase hex digits>');
  }
  const expected = SUPPORTED_DIGESTS.get(algorithm);
  if (expected === undefined) {
    return {
      reason: `digest algorithm "${algorithm}" is not supported; only sha256 and sha512 digests can be verified`,
      unsupported: true,
    };
  }
  if (hex.length !== expected) return bad(`a ${algorithm} digest must have exactly ${expected} hex digits`);
  if (!LOWER_HEX.test(hex)) return bad('the digest hex digits must be lowercase');
  return undefined;
}
