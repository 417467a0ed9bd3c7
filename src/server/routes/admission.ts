import type { Logger } from 'pino';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  buildPinningPatch,
  decodeAdmissionReview,
  readUid,
  toAdmissionFacts,
  toAdmissionReview,
  toErrorReview,
} from '../../admission';
import type { AdmissionRequestFacts } from '../../admission/admission.types';
import { ADMIT_UNREVIEWED, type RequestEvaluation } from '../../engine/evaluate-request';
import { describeUnknown, isPortcullisError } from '../../errors';
import type { AppOptions } from '../app-options.types';
import { deadlineFor, webhookTimeoutMs } from '../budget';

type Endpoint = 'validate' | 'mutate';

/** The decision logger per root logger, built once (see decisionLogger). */
const decisionLoggers = new WeakMap<Logger, Logger>();

/**
 * The logger of decision lines: the root logger without redaction. Redaction is by key name (password,
 * token, auth, …) and a decision line is built only from the fixed keys below, none of which it names, so it
 * could never change the line; it cost ~16% of a warm admission's CPU.
 */
function decisionLogger(root: Logger): Logger {
  let logger = decisionLoggers.get(root);
  if (logger === undefined) {
    logger = root.child({}, { redact: { paths: [] } });
    decisionLoggers.set(root, logger);
  }
  return logger;
}

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

/**
 * /mutate never denies and never warns (/validate does both): it pins each governed image of a Pod to the
 * digest its tag resolves to now. Whatever it cannot pin stays a tag, and /validate then denies it
 * (ADMISSION_NOT_PINNED), so a failure here, an unreadable pod spec included, can never admit unverified
 * content.
 */
async function mutate(
  options: AppOptions,
  log: FastifyBaseLogger,
  request: AdmissionRequestFacts,
  uid: string,
  deadline: number,
): Promise<unknown> {
  try {
    const plan = await options.pin(toAdmissionFacts(request), deadline);
    for (const f of plan.failures) {
      log.warn(
        { uid, image: f.image, field: f.field, code: f.code, reason: f.reason },
        'could not pin image; /validate will deny it',
      );
    }
    return toAdmissionReview(uid, ADMIT_UNREVIEWED, [
      ...buildPinningPatch(plan.pins),
      ...(plan.placement ?? []),
    ]);
  } catch (error) {
    log.error({ err: error, uid }, 'pinning failed; no patch, so /validate denies the unpinned images');
    return toAdmissionReview(uid, ADMIT_UNREVIEWED);
  }
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
    options.metrics.admissionDenials.inc({ endpoint, code });
    return toErrorReview(uid, code, describeUnknown(error));
  }
  const deadline = deadlineFor(started, webhookTimeoutMs(req.query));
  if (endpoint === 'mutate') return mutate(options, req.log, request, uid, deadline);
  try {
    // The request's objects are read here, once (a pod spec that cannot be read is denied with its code);
    // /validate of a Pod requires every governed image to carry the digest /mutate pinned.
    const result = await options.evaluate(toAdmissionFacts(request), deadline, { requirePinned: true });
    if (!result.decision.allowed) options.metrics.admissionDenials.inc({ endpoint, code: 'policy' });
    if (result.reviewed) {
      logDecision(decisionLogger(options.logger), endpoint, request, result);
      recordMetrics(options, request, result, (now() - started) / 1000);
      options.onDecision?.(request, result);
    }
    return toAdmissionReview(uid, result.decision);
  } catch (error) {
    req.log.error({ err: error, uid }, 'evaluation failed; denying (fail closed)');
    const code = isPortcullisError(error) ? error.code : 'ENGINE_INTERNAL_ERROR';
    options.metrics.admissionDenials.inc({ endpoint, code });
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
  const onResponse = (endpoint: Endpoint) => async (_req: FastifyRequest, reply: FastifyReply) => {
    // An HTTP error (400 without uid, 413, 500) is no AdmissionReview: the API server counts it as a failed call.
    if (reply.statusCode >= 400)
      options.metrics.httpErrors.inc({ endpoint, class: reply.statusCode >= 500 ? '5xx' : '4xx' });
  };
  app.post('/validate', { onResponse: onResponse('validate') }, (req, reply) =>
    handle('validate', options, req, reply),
  );
  app.post('/mutate', { onResponse: onResponse('mutate') }, (req, reply) =>
    handle('mutate', options, req, reply),
  );
}
