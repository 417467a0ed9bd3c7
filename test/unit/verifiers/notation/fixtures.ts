// Test helper: Notation authorities compiled from PEM text, and a revocation checker with a scripted answer.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CompiledNotationAuthority } from '../../../../src/policy/compile/compiled.types';
import type { FieldError } from '../../../../src/policy/errors';
import { compileNotationAuthority } from '../../../../src/policy/authorities/notation';
import type { NotationAuthority } from '../../../../src/policy/crd/crd.types';
import type { RevocationChecker, RevocationStatus } from '../../../../src/verifiers/notation/outcome.types';
import { CONFORMANCE_DIR } from '../conformance-registry';

export const NOTATION_DIR = path.join(CONFORMANCE_DIR, 'notation');

// compileAuthority compiles a notation authority spec and fails the test on any field error.
export function compileAuthority(spec: NotationAuthority, name = 'notation'): CompiledNotationAuthority {
  const errors: FieldError[] = [];
  const compiled = compileNotationAuthority(name, spec, 'spec.authorities[0].notation', errors);
  if (errors.length > 0) throw new Error(`authority does not compile: ${JSON.stringify(errors)}`);
  return compiled;
}

// readPem reads a certificate file of the conformance set as PEM text (DER files are converted).
export function readPem(file: string): string {
  const bytes = readFileSync(path.join(NOTATION_DIR, file));
  if (bytes.toString('latin1').includes('-----BEGIN')) return bytes.toString('utf8');
  const b64 = bytes.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

// revocationAnswering always gives `status` and counts the calls.
export function revocationAnswering(status: RevocationStatus): RevocationChecker & { calls: number } {
  const checker = {
    calls: 0,
    check(): Promise<RevocationStatus> {
      checker.calls += 1;
      return Promise.resolve(status);
    },
  };
  return checker;
}
