import { lintPolicyText } from '../policy';
import { EXIT_ALLOWED, EXIT_DENIED } from './errors';
import { readFlagFile } from '../app/options';

/** `portcullis policy lint FILE...`: prints one line per problem with its field path; exit 1 if any error. */
export async function lint(files: string[]): Promise<number> {
  let errors = 0;
  for (const file of files) {
    const findings = lintPolicyText(readFlagFile('policy lint', file), file);
    for (const f of findings) {
      const severity = f.severity ?? 'error';
      if (severity === 'error') errors += 1;
      process.stdout.write(`${f.source}: ${f.path}: ${severity}: ${f.message} [${f.code}]\n`);
    }
    if (!findings.some((f) => (f.severity ?? 'error') === 'error')) process.stdout.write(`${file}: ok\n`);
  }
  return errors === 0 ? EXIT_ALLOWED : EXIT_DENIED;
}
