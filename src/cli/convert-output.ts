import { writeFileSync } from 'node:fs';
import { compilePolicy } from '../policy/compile/compile';
import { isPolicyError } from '../policy/errors';
import type { PolicyObject } from '../policy/crd/crd.types';
import { formatFindingLine, toConversionReport, toConversionYaml, type Conversion } from '../convert/report';
import { ConfigError, EXIT_ALLOWED } from './errors';

/** Flags every `policy from-*` converter shares. */
export interface ConvertOutputFlags {
  /** Write the JSON report (docs/migration.md#the-conversion-report) to this file. */
  readonly report?: string;
  /** metadata.namespace the ImagePolicies were generated for; compile defaults to it. */
  readonly namespace?: string;
}

/**
 * Prints a converter's result: every policy is compiled first (so the output always lints), then the YAML goes to
 * stdout with its findings as comments, each finding also goes to stderr, and `--report` gets the JSON report.
 * Key references to Secrets are not resolved here; compile only checks the shape.
 */
export function writeConversion(
  conversion: Conversion,
  command: string,
  source: string,
  flags: ConvertOutputFlags,
): Promise<number> {
  const secrets = { get: () => undefined };
  for (const p of conversion.policies) compileShape(p, flags.namespace ?? 'default', secrets);
  if (flags.report !== undefined) writeReport(flags.report, toConversionReport(conversion, source));
  for (const f of conversion.findings) process.stderr.write(`${formatFindingLine(f)}\n`);
  process.stdout.write(toConversionYaml(conversion, command, source));
  return Promise.resolve(EXIT_ALLOWED);
}

// writeReport writes the JSON report, turning an unwritable path into a usage error.
function writeReport(file: string, text: string): void {
  try {
    writeFileSync(file, text, { mode: 0o644 });
  } catch (error) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--report ${file}: cannot write: ${(error as Error).message}`,
    );
  }
}

// compileShape compiles one generated policy; a Secret or ConfigMap it names is not at hand here (it lives in the
// cluster), so only "not found" for those is tolerated, exactly as `policy lint` makes it a warning.
function compileShape(
  policy: PolicyObject,
  defaultNamespace: string,
  secrets: { get: () => undefined },
): void {
  try {
    compilePolicy(policy, { secrets, defaultNamespace });
  } catch (error) {
    if (!isPolicyError(error) || error.fieldErrors.length === 0) throw error;
    const onlyMissing = error.fieldErrors.every(
      (e) =>
        (e.code === 'POLICY_SECRET_NOT_FOUND' || e.code === 'POLICY_CONFIGMAP_NOT_FOUND') &&
        e.message.endsWith('not found'),
    );
    if (!onlyMissing) throw error;
  }
}
