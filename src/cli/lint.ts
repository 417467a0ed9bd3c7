import { formatLintFinding, lintPolicyText } from '../policy';
import { EXIT_ALLOWED, EXIT_DENIED } from './errors';
import { readFlagFile } from '../app/options';

/** `portcullis policy lint FILE...`: one `file:line:col: path: severity: message [CODE]` line per finding; exit 1 if any error. */
export async function lint(files: string[]): Promise<number> {
  let errors = 0;
  for (const file of files) {
    const findings = lintPolicyText(readFlagFile('policy lint', file), file);
    for (const f of findings) {
      if (f.severity === 'error') errors += 1;
      process.stdout.write(`${formatLintFinding(f)}\n`);
    }
    if (!findings.some((f) => f.severity === 'error')) process.stdout.write(`${file}: ok\n`);
  }
  return errors === 0 ? EXIT_ALLOWED : EXIT_DENIED;
}
