// Test helper: the real RegistryClient as the verifiers see it, for the loopback registries of the harness.
import pino from 'pino';
import { RegistryClient } from '../../../src/registry';
import type { RegistryReader } from '../../../src/registry/registry.types';
import type { VerifyContext, VerifyTarget } from '../../../src/verifiers/verifier.types';

// newRegistryReader builds a client that may speak plain HTTP to loopback registries (as docker does).
export function newRegistryReader(): RegistryReader {
  return new RegistryClient({
    insecureRegistries: [],
    logger: pino({ level: 'silent' }),
    userAgent: 'portcullis-integration-test',
  });
}

// resolveForVerifier resolves `host/repo` at a tag or digest with the real client, and returns the verifier's
// target and context for that digest (a fresh 60 s deadline, anonymous access, a silent logger).
export async function resolveForVerifier(
  reader: RegistryReader,
  host: string,
  repo: string,
  reference: string,
): Promise<{ target: VerifyTarget; ctx: VerifyContext }> {
  const request = { deadline: Date.now() + 60_000, credentials: { lookup: () => undefined } };
  const repoRef = { registry: host, repository: repo };
  const descriptor = await reader.resolve(repoRef, reference, request);
  const isDigest = reference.startsWith('sha256:');
  const target: VerifyTarget = {
    ref: {
      registry: host,
      repository: repo,
      name: `${host}/${repo}`,
      original: `${host}/${repo}${isDigest ? '@' : ':'}${reference}`,
      ...(isDigest ? { digest: reference } : { tag: reference }),
    },
    repo: repoRef,
    digest: descriptor.digest,
    descriptor: () => Promise.resolve(descriptor),
  };
  return {
    target,
    ctx: { registry: reader, request, now: () => new Date(), logger: pino({ level: 'silent' }) },
  };
}
