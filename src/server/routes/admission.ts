import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  buildPinningPatch,
  decodeAdmissionReview,
  readUid,
  toAdmissionReview,
  toErrorReview,
} from '../../admission';
import type { AdmissionRequestFacts } from '../../admission/admission.types';
import { ADMIT_UNREVIEWED, type RequestEvaluation } from '../../engine/evaluate-request';
import { describeUnknown, isPortcullisError } from '../../errors';
import type { AppOptions } from '../app-options.types';
import { deadlineFor, webhookTimeoutMs } from '../budget';

type Endpoint = 'validate' | 'mutate';

// logDecision writes the one structured line per request that operators and auditors read.
function logDecision(
  log: FastifyBaseLogger,
  endpoint: Endpoint,
  request: AdmissionRequestFacts,
  result: RequestEvaluation,
): void {
  const { decision } = result;
  const line = {
    endpoint,
    uid: request.uid,
    operation: request.operation,
    kind: request.kind.kind,
    namespace: request.namespace,
    name: request.name,
    user: request.userInfo.username,
    allowed: decision.allowed,
    breakGlass: decision.breakGlassUsed,
    images: decision.images.map((i) => ({
      image: i.image,
      field: i.field,
      verdicts: i.verdicts.map((v) => ({
        policy: v.policyId,
        mode: v.mode,
        passed: v.passed,
        reasons: v.reasons,
      })),
    })),
  };
  if (decision.breakGlassUsed)
    log.warn({ ...line, auditAnnotations: decision.auditAnnotations }, 'break-glass used');
  else log.info(line, decision.allowed ? 'admitted' : 'denied');
}

// recordMetrics counts the request, its duration and any break-glass use.
function recordMetrics(
  options: AppOptions,
  request: AdmissionRequestFacts,
  result: RequestEvaluation,
  seconds: number,
): void {
  const decision = result.decision.allowed
    ? result.decision.breakGlassUsed
      ? 'break_glass'
      : 'allow'
    : 'deny';
  options.metrics.admissionRequests.inc({ operation: request.operation, kind: request.kind.kind, decision });
  options.metrics.admissionDuration.observe(seconds);
  if (result.decision.breakGlassUsed) options.metrics.breakGlass.inc({ namespace: request.namespace });
}

// handle runs one review end to end; nothing thrown escapes as a crash: it becomes a denial.
async function handle(
  endpoint: Endpoint,
  options: AppOptions,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const now = options.now ?? Date.now;
  const started = now();
  const uid = readUid(req.body);
  if (uid === undefined) {
    return reply.code(400).send({
      code: 'ADMISSION_MISSING_UID',
      message: 'body is not an AdmissionReview with a readable request.uid; nothing to answer',
    });
  }
  let request: AdmissionRequestFacts;
  try {
    request = decodeAdmissionReview(req.body).request;
  } catch (error) {
    const code = isPortcullisError(error) ? error.code : 'ADMISSION_MALFORMED';
    req.log.warn({ uid, code, reason: describeUnknown(error) }, 'malformed AdmissionReview denied');
    return toErrorReview(uid, code, describeUnknown(error));
  }
  try {
    const result = await options.evaluate(request, deadlineFor(started, webhookTimeoutMs(req.query)));
    // The decision is logged, counted and turned into Events once, by the validating call; /mutate repeats
    // the same evaluation (from the cache) only to pin digests.
    if (result.reviewed && endpoint === 'validate') {
      logDecision(req.log, endpoint, request, result);
      recordMetrics(options, request, result, (now() - started) / 1000);
      options.onDecision?.(request, result);
    }
    if (endpoint === 'validate') return toAdmissionReview(uid, result.decision);
    // /mutate never denies and never warns (validation does both); it only pins what verified, in Pods.
    const podLike = request.kind.kind === 'Pod' && request.kind.group === '';
    const patch = podLike ? buildPinningPatch(result.decision.verified) : [];
    return toAdmissionReview(uid, { ...ADMIT_UNREVIEWED, verified: result.decision.verified }, patch);
  } catch (error) {
    req.log.error({ err: error, uid }, 'evaluation failed; denying (fail closed)');
    if (endpoint === 'mutate') return toAdmissionReview(uid, ADMIT_UNREVIEWED);
    if (isPortcullisError(error)) return toErrorReview(uid, error.code, error.message);
    return toErrorReview(
      uid,
      'ENGINE_INTERNAL_ERROR',
      `internal error while evaluating: ${describeUnknown(error)}`,
    );
  }
}

// registerAdmissionRoutes adds POST /validate and POST /mutate.
export function registerAdmissionRoutes(app: FastifyInstance, options: AppOptions): void {
  app.post('/validate', (req, reply) => handle('validate', options, req, reply));
  app.post('/mutate', (req, reply) => handle('mutate', options, req, reply));
}
