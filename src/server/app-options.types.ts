import type { Logger } from 'pino';
import type { AdmissionFacts, AdmissionRequestFacts } from '../admission/admission.types';
import type { Evaluate, RequestEvaluation } from '../engine/evaluate-request';
import type { PinPlan } from '../engine/pin-request';
import type { PolicySource } from '../policy-sources/snapshot';
import type { Metrics } from '../observability/metrics';
import type { Drain } from './drain';

/** Hooks fired after a decision, e.g. to emit Kubernetes Events (cluster mode). Must not throw. */
export type DecisionListener = (request: AdmissionRequestFacts, evaluation: RequestEvaluation) => void;

/** Everything the HTTP app needs; the app itself opens no sockets and reads no files. */
export interface AppOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly policies: PolicySource;
  /** The engine, bound to its registry client, cache and verifiers. */
  readonly evaluate: Evaluate;
  /** /mutate: the digests to pin for a Pod's governed images (resolution only). */
  readonly pin: (facts: AdmissionFacts, deadline: number) => Promise<PinPlan>;
  readonly now?: () => number;
  /** Largest accepted request body; see MAX_ADMISSION_REVIEW_BYTES. */
  readonly bodyLimit?: number;
  readonly onDecision?: DecisionListener;
  /** HTTPS options when serving TLS; the server's secure context can be replaced later (hot reload). */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  /** Shutdown state (cli/serve starts it on SIGTERM): /readyz fails and answers close their connections. */
  readonly drain?: Drain;
}
