import { PortcullisError } from '../errors';

export const ENGINE_ERROR_CODES = [
  'ENGINE_INTERNAL_ERROR',
  'ENGINE_RESOLVED_WRONG_DIGEST',
  'ENGINE_TOO_MANY_MANIFESTS',
] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** Errors of the evaluation engine itself: bugs caught so that they fail closed, and registry answers that contradict the request. */
export class EngineError extends PortcullisError<EngineErrorCode> {}
