// The converter tests' way to catch a refusal: the PolicyError a conversion throws, and a test failure when it
// converts instead.
import { isPolicyError, PolicyError } from '../../../src/policy/errors';

// refusal returns the conversion error, failing when there is none.
export function refusal(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

// refusalPaths returns the field paths of the POLICY_CONVERT_UNMAPPABLE error `run` throws.
export function refusalPaths(run: () => unknown): string[] {
  const error = refusal(run);
  if (!isPolicyError(error) || error.code !== 'POLICY_CONVERT_UNMAPPABLE') throw error;
  return error.fieldErrors.map((e) => e.path);
}
