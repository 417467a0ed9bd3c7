// The claims of the two kinds of identity the keyless tests sign with: a person (email) and a GitHub Actions
// workflow. Fulcio's `email` issuer type puts the email in the certificate's SAN; its `github-workflow` type
// requires every claim of githubClaims and turns them into the certificate's extensions.
import type { Claims } from './oidc-issuer';

/** A GitHub Actions run, as its OIDC token describes it. Defaults make a push to main of org/app. */
export interface GithubWorkflow {
  /** `owner/name` */
  readonly repository: string;
  /** `refs/heads/main`, `refs/tags/v1.0.0`, … */
  readonly ref: string;
  /** 40 hex: the commit built. */
  readonly sha: string;
  /** The top-level workflow file, e.g. `.github/workflows/release.yml`. */
  readonly workflowPath: string;
  /** `repo/path@ref` of the job's workflow; differs from workflow_ref for a reusable workflow. */
  readonly jobWorkflowRef?: string;
  readonly eventName: string;
  readonly runnerEnvironment: 'github-hosted' | 'self-hosted';
  readonly visibility: 'public' | 'private' | 'internal';
  readonly runId: string;
  readonly runAttempt: string;
}

/** A push to main of `portcullis-test/app` (these values are what the defaults of githubClaims use). */
export const DEFAULT_WORKFLOW: GithubWorkflow = {
  repository: 'portcullis-test/app',
  ref: 'refs/heads/main',
  sha: 'a'.repeat(40),
  workflowPath: '.github/workflows/release.yml',
  eventName: 'push',
  runnerEnvironment: 'github-hosted',
  visibility: 'public',
  runId: '1234567890',
  runAttempt: '1',
};

/** Claims of a person's token: Fulcio's `email` type wants `email` and `email_verified: true`. */
export function emailClaims(email: string, extra: Claims = {}): Claims {
  return { sub: email, email, email_verified: true, ...extra };
}

/** The `workflow_ref` claim: `owner/repo/<workflow path>@<ref>`. */
export function workflowRef(w: GithubWorkflow): string {
  return `${w.repository}/${w.workflowPath}@${w.ref}`;
}

/** Claims of a GitHub Actions token for the run `w` (defaults: DEFAULT_WORKFLOW). */
export function githubClaims(overrides: Partial<GithubWorkflow> = {}, extra: Claims = {}): Claims {
  const w = { ...DEFAULT_WORKFLOW, ...overrides };
  const owner = w.repository.split('/')[0] ?? w.repository;
  return {
    sub: `repo:${w.repository}:ref:${w.ref}`,
    repository: w.repository,
    repository_id: '100001',
    repository_owner: owner,
    repository_owner_id: '200002',
    repository_visibility: w.visibility,
    ref: w.ref,
    ref_type: w.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: w.sha,
    workflow: 'release',
    workflow_ref: workflowRef(w),
    workflow_sha: w.sha,
    job_workflow_ref: w.jobWorkflowRef ?? workflowRef(w),
    job_workflow_sha: w.sha,
    event_name: w.eventName,
    runner_environment: w.runnerEnvironment,
    run_id: w.runId,
    run_number: '7',
    run_attempt: w.runAttempt,
    actor: 'portcullis-bot',
    actor_id: '300003',
    ...extra,
  };
}

/**
 * What Fulcio writes into the certificate of a github-workflow token for `w` (its SAN and the extensions a
 * policy matches on), so tests can state the identity they expect without repeating Fulcio's rules.
 */
export function githubCertificateIdentity(overrides: Partial<GithubWorkflow> = {}): {
  readonly subjectAlternativeName: string;
  readonly sourceRepositoryURI: string;
  readonly sourceRepositoryRef: string;
  readonly sourceRepositoryDigest: string;
  readonly buildConfigURI: string;
  readonly buildSignerURI: string;
  readonly buildSignerDigest: string;
  readonly buildTrigger: string;
  readonly runnerEnvironment: string;
} {
  const w = { ...DEFAULT_WORKFLOW, ...overrides };
  const signer = `https://github.com/${w.jobWorkflowRef ?? workflowRef(w)}`;
  return {
    subjectAlternativeName: signer,
    sourceRepositoryURI: `https://github.com/${w.repository}`,
    sourceRepositoryRef: w.ref,
    sourceRepositoryDigest: w.sha,
    buildConfigURI: `https://github.com/${workflowRef(w)}`,
    buildSignerURI: signer,
    buildSignerDigest: w.sha,
    buildTrigger: w.eventName,
    runnerEnvironment: w.runnerEnvironment,
  };
}
