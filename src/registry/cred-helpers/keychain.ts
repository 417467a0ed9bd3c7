// Credentials from docker credential helpers: one run per (helper, registry), reused for a short TTL.
import { TtlCache } from '../../ttl-cache';
import { RegistryError } from '../errors';
import type { Keychain } from '../keychain';
import { CRED_HELPER_CACHE_TTL_MS, CRED_HELPER_TIMEOUT_MS, MAX_CACHED_CRED_HELPER_ANSWERS } from '../limits';
import type { Credential, CredentialSource, LookupContext } from '../registry.types';
import { helperFor, serverUrlFor, type HelperRouting } from './config';
import { runCredentialHelper, type HelperRun } from './run';

/** Runs a helper; the real one spawns `docker-credential-<name>`, tests may count calls. */
export type HelperRunner = (run: HelperRun) => Promise<Credential | undefined>;

/**
 * The helpers one process may run, with their answers cached per (helper, registry) for
 * CRED_HELPER_CACHE_TTL_MS. Concurrent lookups share one run; a failure is not cached, so the next
 * request runs the helper again.
 */
export class CredentialHelpers {
  private readonly answers: TtlCache<Promise<Credential | undefined>>;

  constructor(
    private readonly options: {
      readonly now?: () => number;
      /** PATH to search for helpers (the process's own when absent). */
      readonly searchPath?: string;
      readonly run?: HelperRunner;
    } = {},
  ) {
    this.answers = new TtlCache(CRED_HELPER_CACHE_TTL_MS, MAX_CACHED_CRED_HELPER_ANSWERS, options.now);
  }

  /** The helper's credentials for `registry`, or undefined when it has none. */
  get(helper: string, registry: string, ctx: LookupContext | undefined): Promise<Credential | undefined> {
    const key = `${helper}\u0000${registry}`;
    const hit = this.answers.get(key);
    if (hit !== undefined) return hit;
    const now = (this.options.now ?? Date.now)();
    const left = ctx === undefined ? CRED_HELPER_TIMEOUT_MS : ctx.deadline - now;
    if (left <= 0) {
      return Promise.reject(
        new RegistryError(
          'REGISTRY_TIMEOUT',
          `no time was left to run credential helper docker-credential-${helper} for ${registry}`,
          { details: { registry, helper } },
        ),
      );
    }
    // Shared by concurrent lookups, so it carries no one request's signal: the timeout bounds it.
    const answer = (this.options.run ?? runCredentialHelper)({
      helper,
      registry,
      serverUrl: serverUrlFor(registry),
      timeoutMs: Math.min(CRED_HELPER_TIMEOUT_MS, left),
      ...(this.options.searchPath === undefined ? {} : { searchPath: this.options.searchPath }),
    });
    this.answers.set(key, answer);
    answer.catch(() => {
      if (this.answers.get(key) === answer) this.answers.delete(key);
    });
    return answer;
  }
}

/** One docker config with `credHelpers`/`credsStore`: the routed helper answers, else its `auths` do (as docker). */
export class HelperKeychain implements CredentialSource {
  constructor(
    private readonly routing: HelperRouting,
    private readonly inline: Keychain,
    private readonly helpers: CredentialHelpers,
  ) {}

  lookup(registry: string, ctx?: LookupContext): Credential | undefined | Promise<Credential | undefined> {
    const helper = helperFor(this.routing, registry);
    if (helper === undefined) return this.inline.lookup(registry);
    return this.helpers.get(helper, registry, ctx);
  }
}
