// Test helpers for the Notary v1 conformance runners: case loading, serving rules, targets and contexts.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { parseImageReference } from '../../../../src/reference';
import type { VerifyContext, VerifyTarget } from '../../../../src/verifiers/verifier.types';
import { CONFORMANCE_DIR } from '../conformance-registry';
import { newClient, requestContext, rolePath, type TrustServer } from './trust-server';

export const NOTARY_DIR = path.join(CONFORMANCE_DIR, 'notaryv1');

/** One case of notaryv1/cases.json (the fields this runner reads). */
export interface NotaryCase {
  readonly id: string;
  readonly image: string;
  readonly expect: 'valid' | 'invalid';
  readonly reason: string;
  readonly check: 'chain' | 'root' | 'role';
  readonly gun?: string;
  readonly roles: Readonly<Record<string, string>>;
  readonly role?: string;
  readonly signer?: string;
  readonly resolved?: { readonly digest: string; readonly size: number };
  readonly trust: { readonly rootKeys: readonly string[]; readonly delegations?: readonly string[] };
  readonly alsoAcceptable?: readonly string[];
}

/** Loads notaryv1/cases.json. */
export function loadNotaryCases(dir = NOTARY_DIR): NotaryCase[] {
  return JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')) as NotaryCase[];
}

/** The bytes a notary server serves for a fixture: Connaisseur's pretty-printed files compacted (README). */
export function servedBytes(dir: string, file: string): Buffer {
  const raw = readFileSync(path.join(dir, file));
  return file.includes('connaisseur/') ? Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')))) : raw;
}

/** Puts a case's roles on the server for its GUN (replacing what was there). */
export function serveRoles(
  server: TrustServer,
  dir: string,
  gun: string,
  roles: Readonly<Record<string, string>>,
): void {
  server.files.clear();
  for (const [role, file] of Object.entries(roles))
    server.files.set(rolePath(gun, role), servedBytes(dir, file));
}

/** A VerifyTarget for an image as the engine would build it after resolving. */
export function notaryTarget(image: string, resolved?: { digest: string; size: number }): VerifyTarget {
  const ref = parseImageReference(image);
  const digest = ref.digest ?? resolved?.digest ?? '';
  return {
    ref,
    repo: { registry: ref.registry, repository: ref.repository },
    digest,
    descriptor: () =>
      Promise.resolve({
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest,
        size: resolved?.size ?? 0,
      }),
  };
}

/** A VerifyContext over a real registry client. */
export function notaryContext(now = new Date()): VerifyContext {
  return {
    registry: newClient(),
    request: requestContext(),
    now: () => now,
    logger: pino({ level: 'silent' }),
  };
}
