// Test helper: the real RegistryClient as the verifiers see it, for the loopback registries of the harness.
import pino from 'pino';
import { RegistryClient } from '../../../src/registry';
import type { RegistryReader } from '../../../src/registry/registry.types';

// newRegistryReader builds a client that may speak plain HTTP to loopback registries (as docker does).
export function newRegistryReader(): RegistryReader {
  return new RegistryClient({
    insecureRegistries: [],
    logger: pino({ level: 'silent' }),
    userAgent: 'portcullis-integration-test',
  });
}
