// Test helper: a VerifyTarget and VerifyContext over any RegistryReader.
import pino from 'pino';
import type { RegistryReader } from '../../../src/registry/registry.types';
import type { VerifyContext, VerifyTarget } from '../../../src/verifiers/verifier.types';

// targetFor describes an image in `registry/repository` resolved to `digest`.
export function targetFor(name: string, digest: string, original = `${name}:v1`): VerifyTarget {
  const slash = name.indexOf('/');
  const registry = name.slice(0, slash);
  const repository = name.slice(slash + 1);
  return {
    ref: { registry, repository, name, tag: 'v1', original },
    repo: { registry, repository },
    digest,
    descriptor: () =>
      Promise.resolve({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 100 }),
  };
}

// contextFor hands the verifier a registry, a far deadline, no credentials and a silent logger.
export function contextFor(registry: RegistryReader): VerifyContext {
  return {
    registry,
    request: { deadline: Date.now() + 60_000, credentials: { lookup: () => undefined } },
    now: () => new Date(),
    logger: pino({ level: 'silent' }),
  };
}
