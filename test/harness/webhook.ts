import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRuntime } from '../../src/app/runtime';
import { toRegistryFlags } from '../../src/app/options';
import { silentLogger } from '../../src/observability/logger';
import { Metrics } from '../../src/observability/metrics';
import { buildApp } from '../../src/server/app';
import type { JsonPatchOp } from '../../src/admission';
import { applyPatch } from './json-patch';
import { DirPolicySource } from '../../src/policy-sources/dir';

/** A webhook app wired exactly as `portcullis serve --policy-dir` wires it, for `inject` tests. */
export interface TestWebhook {
  readonly app: FastifyInstance;
  readonly metrics: Metrics;
  readonly policyDir: string;
}

/** Writes `policies` (YAML text per file name) to a folder and builds the app around it. */
export async function buildTestWebhook(
  policies: Record<string, string>,
  flags: { insecureRegistry?: string[]; noMatch?: string; dockerConfig?: string[]; registryCa?: string } = {},
): Promise<TestWebhook> {
  const policyDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-policies-'));
  for (const [name, text] of Object.entries(policies)) await writeFile(path.join(policyDir, name), text);
  const dockerConfigFiles: string[] = [];
  for (const [i, json] of (flags.dockerConfig ?? []).entries()) {
    const file = path.join(policyDir, `.docker-config-${i}.conf`);
    await writeFile(file, json, { mode: 0o600 });
    dockerConfigFiles.push(file);
  }
  const logger = silentLogger();
  const metrics = new Metrics();
  let registryCa: string | undefined;
  if (flags.registryCa !== undefined) {
    registryCa = path.join(policyDir, '.registry-ca.pem');
    await writeFile(registryCa, flags.registryCa);
  }
  const registryFlags = toRegistryFlags({
    ...flags,
    dockerConfig: dockerConfigFiles,
    ...(registryCa === undefined ? {} : { registryCa }),
  });
  const source = DirPolicySource.load(policyDir, logger, metrics);
  const runtime = createRuntime({ flags: registryFlags, policies: source, logger, metrics });
  const app = buildApp({ logger, metrics, policies: source, evaluate: runtime.evaluate, pin: runtime.pin });
  await app.ready();
  return { app, metrics, policyDir };
}

/** A cosign ClusterImagePolicy YAML for the given globs and public key. */
export function cosignPolicy(
  name: string,
  globs: readonly string[],
  publicKeyPem: string,
  extra: {
    breakGlassAllowed?: boolean;
    mode?: string;
    requireDigest?: boolean;
    /** More `spec` lines (YAML, indented relative to spec), e.g. `placement: {runtimeClassNames: [kata]}`. */
    spec?: readonly string[];
  } = {},
): string {
  const key = publicKeyPem.trimEnd().replace(/^/gm, '            ');
  return [
    'apiVersion: portcullis.dev/v1alpha1',
    'kind: ClusterImagePolicy',
    `metadata: {name: ${name}}`,
    'spec:',
    ...(extra.mode ? [`  mode: ${extra.mode}`] : []),
    ...(extra.requireDigest ? ['  requireDigest: true'] : []),
    '  images:',
    ...globs.map((g) => `    - glob: "${g}"`),
    ...(extra.breakGlassAllowed === false ? ['  breakGlass: {allowed: false}'] : []),
    ...(extra.spec ?? []).map((line) => `  ${line}`),
    '  authorities:',
    '    - name: release-manager',
    '      cosign:',
    '        key:',
    '          data: |',
    key,
    '',
  ].join('\n');
}

/** An AdmissionReview v1 for `object` of the given kind; group "" is core. */
export function admissionReview(
  object: Record<string, unknown>,
  options: {
    group?: string;
    version?: string;
    kind?: string;
    operation?: string;
    subResource?: string;
    oldObject?: unknown;
    uid?: string;
    groups?: string[];
  } = {},
): Record<string, unknown> {
  const kind = options.kind ?? (object.kind as string);
  const group = options.group ?? '';
  const version = options.version ?? 'v1';
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? `uid-${Math.random().toString(36).slice(2)}`,
      kind: { group, version, kind },
      resource: { group, version, resource: `${kind.toLowerCase()}s` },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      name: metadata.name ?? 'x',
      namespace: metadata.namespace ?? 'team-a',
      operation: options.operation ?? 'CREATE',
      userInfo: { username: 'alice', groups: options.groups ?? ['system:authenticated'] },
      object,
      ...(options.oldObject ? { oldObject: options.oldObject } : {}),
      dryRun: false,
    },
  };
}

/** A Pod with the given containers (name → image) and annotations. */
export function podObject(
  containers: Record<string, string>,
  extra: {
    initContainers?: Record<string, string>;
    annotations?: Record<string, string>;
    name?: string;
  } = {},
): Record<string, unknown> {
  const list = (m: Record<string, string>): unknown[] =>
    Object.entries(m).map(([name, image]) => ({ name, image }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: extra.name ?? 'p',
      namespace: 'team-a',
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: {
      containers: list(containers),
      ...(extra.initContainers ? { initContainers: list(extra.initContainers) } : {}),
    },
  };
}

/** The `response` of an AdmissionReview as the webhook answers it. */
export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patch?: string;
  patchType?: string;
}

/** Posts one AdmissionReview to `url` and returns its response part (HTTP 200 expected). */
export async function postReview(
  app: FastifyInstance,
  body: Record<string, unknown>,
  url: string,
): Promise<ReviewResponse> {
  const res = await app.inject({ method: 'POST', url, payload: body });
  if (res.statusCode !== 200) throw new Error(`${url} answered HTTP ${res.statusCode}: ${res.body}`);
  return (res.json() as { response: ReviewResponse }).response;
}

/** The JSONPatch of a /mutate answer, decoded (empty when there is none). */
export function patchOf(r: ReviewResponse): JsonPatchOp[] {
  return r.patch === undefined
    ? []
    : (JSON.parse(Buffer.from(r.patch, 'base64').toString()) as JsonPatchOp[]);
}

/**
 * Plays the API server: /mutate first, its patch applied to the object, then /validate on the result.
 * Returns the validating answer and the object as it would be stored.
 */
export async function admitThroughBoth(
  app: FastifyInstance,
  body: Record<string, unknown>,
): Promise<ReviewResponse & { object: unknown }> {
  const mutated = await postReview(app, body, '/mutate');
  const request = body.request as Record<string, unknown>;
  const object = applyPatch(request.object, patchOf(mutated));
  const validated = await postReview(app, { ...body, request: { ...request, object } }, '/validate');
  return { ...validated, object };
}
