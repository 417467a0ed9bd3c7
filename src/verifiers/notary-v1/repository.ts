// A notary repository whose metadata has been verified role by role, from the pinned root down.
import type { CompiledNotaryRootKey } from '../../policy/compile/compiled.types';
import { VerifyError } from '../errors';
import { verifyFileMeta, verifyNotExpired, verifyRoot, verifyThreshold, verifyVersion } from './chain';
import { MAX_TUF_DELEGATION_DEPTH, MAX_TUF_DELEGATIONS_LOADED } from './limits';
import {
  parseEnvelope,
  toMetaRole,
  toRootRole,
  toTargetsRole,
  type DelegatedRole,
  type FileMeta,
  type MetaRole,
  type RootRole,
  type TargetsRole,
} from './metadata';
import type { TufFetcher } from './tuf-client';

/** A verified targets role (`targets` or a delegation), with the delegation entry that bounds its paths. */
export interface LoadedTargets {
  readonly name: string;
  readonly data: TargetsRole;
  /** Absent for the top-level `targets` role. */
  readonly delegation?: DelegatedRole;
}

/** The verified state of one GUN. */
export interface TrustedRepository {
  readonly gun: string;
  readonly root: RootRole;
  readonly snapshot: MetaRole;
  readonly targets: LoadedTargets;
  /**
   * A delegated role, verified (hash, signatures, expiry, version). Undefined when no role above delegates to
   * it, or when it has never published (snapshot.json does not list it).
   */
  delegation(name: string): Promise<LoadedTargets | undefined>;
}

// missing is the error for metadata the chain needs but the server does not have.
function missing(role: string, gun: string, why: string): VerifyError {
  return new VerifyError(
    'VERIFY_TUF_METADATA_MISSING',
    `the notary server has no ${role}.json for ${gun}${why}`,
  );
}

// metaFor finds a role in a meta map; Notary keys it by role name, TUF by file name.
function metaFor(meta: ReadonlyMap<string, FileMeta>, role: string): FileMeta | undefined {
  return meta.get(role) ?? meta.get(`${role}.json`);
}

/**
 * Fetches and verifies root (against the pinned keys), timestamp, snapshot and targets, in that order,
 * checking signatures and thresholds, hashes and lengths, expiry and versions. Throws VerifyError
 * (VERIFY_NO_SIGNATURES when the GUN has no trust data at all) or the fetcher's RegistryError.
 */
export async function loadTrustedRepository(
  fetcher: TufFetcher,
  gun: string,
  pinned: readonly CompiledNotaryRootKey[],
  now: Date,
): Promise<TrustedRepository> {
  const rootBytes = await fetcher.fetch('root');
  if (rootBytes === undefined) {
    throw new VerifyError(
      'VERIFY_NO_SIGNATURES',
      `the notary server has no trust data for ${gun}: the repository was never signed with Docker Content Trust`,
    );
  }
  const rootEnv = parseEnvelope('root', rootBytes);
  const root = toRootRole(rootEnv);
  verifyRoot(rootEnv, root, pinned, now);

  const tsBytes = await fetcher.fetch('timestamp');
  if (tsBytes === undefined) throw missing('timestamp', gun, '');
  const tsEnv = parseEnvelope('timestamp', tsBytes);
  const timestamp = toMetaRole(tsEnv, 'timestamp');
  verifyThreshold(tsEnv, root.roles.timestamp, root.keys);
  verifyNotExpired('timestamp', timestamp, now);

  const snapMeta = metaFor(timestamp.meta, 'snapshot');
  if (snapMeta === undefined) throw missing('snapshot', gun, ': timestamp.json does not list it');
  const snapshotEnv = await fetchVerified(fetcher, gun, 'snapshot', snapMeta, 'timestamp');
  const snapshot = toMetaRole(snapshotEnv, 'snapshot');
  verifyThreshold(snapshotEnv, root.roles.snapshot, root.keys);
  verifyNotExpired('snapshot', snapshot, now);
  verifyVersion('snapshot', snapshot, snapMeta, 'timestamp');
  // Notary fetches root before snapshot and never size-checks it; its hashes must still match.
  const rootMeta = metaFor(snapshot.meta, 'root');
  if (rootMeta !== undefined) verifyFileMeta('root', rootBytes, rootMeta, 'snapshot', false);

  const targetsMeta = metaFor(snapshot.meta, 'targets');
  if (targetsMeta === undefined) throw missing('targets', gun, ': snapshot.json does not list it');
  const targetsEnv = await fetchVerified(fetcher, gun, 'targets', targetsMeta, 'snapshot');
  const targets = toTargetsRole(targetsEnv);
  verifyThreshold(targetsEnv, root.roles.targets, root.keys);
  verifyNotExpired('targets', targets, now);
  verifyVersion('targets', targets, targetsMeta, 'snapshot');

  const top: LoadedTargets = { name: 'targets', data: targets };
  checkNested(top);
  const loaded = new Map<string, Promise<LoadedTargets | undefined>>();
  const delegation = (name: string): Promise<LoadedTargets | undefined> => {
    let p = loaded.get(name);
    if (p === undefined) {
      if (loaded.size >= MAX_TUF_DELEGATIONS_LOADED) {
        const text = `more than ${MAX_TUF_DELEGATIONS_LOADED} delegation roles would be fetched for ${gun}; refusing`;
        return Promise.reject(new VerifyError('VERIFY_TUF_METADATA_INVALID', text));
      }
      p = loadDelegation(name);
      loaded.set(name, p);
    }
    return p;
  };
  // loadDelegation walks from the parent role: the parent must delegate to `name` (names nest, so no cycles).
  const loadDelegation = async (name: string): Promise<LoadedTargets | undefined> => {
    const depth = name.split('/').length - 1;
    if (!name.startsWith('targets/') || depth > MAX_TUF_DELEGATION_DEPTH) {
      throw new VerifyError(
        'VERIFY_TUF_METADATA_INVALID',
        `delegation ${JSON.stringify(name.slice(0, 100))} is not a role below targets within depth ${MAX_TUF_DELEGATION_DEPTH}`,
      );
    }
    const parentName = name.slice(0, name.lastIndexOf('/'));
    const parent = parentName === 'targets' ? top : await delegation(parentName);
    if (parent === undefined) return undefined;
    const spec = parent.data.delegations.find((d) => d.name === name);
    if (spec === undefined) return undefined;
    const meta = metaFor(snapshot.meta, name);
    if (meta === undefined) return undefined;
    const env = await fetchVerified(fetcher, gun, name, meta, 'snapshot');
    const data = toTargetsRole(env);
    checkNested({ name, data });
    verifyThreshold(env, spec, parent.data.delegationKeys);
    verifyNotExpired(name, data, now);
    verifyVersion(name, data, meta, 'snapshot');
    return { name, data, delegation: spec };
  };
  return { gun, root, snapshot, targets: top, delegation };
}

// checkNested refuses a role that delegates to anything not below itself (a cycle or an escape).
function checkNested(parent: LoadedTargets): void {
  for (const d of parent.data.delegations) {
    if (!d.name.startsWith(`${parent.name}/`) || d.name.slice(parent.name.length + 1).includes('..')) {
      throw new VerifyError(
        'VERIFY_TUF_METADATA_INVALID',
        `${parent.name}.json delegates to ${JSON.stringify(d.name.slice(0, 100))}, which is not below it (a delegation cycle?)`,
      );
    }
  }
}

// fetchVerified fetches a role no longer than declared above, and checks it against the declared hashes.
async function fetchVerified(
  fetcher: TufFetcher,
  gun: string,
  role: string,
  meta: FileMeta,
  above: string,
): Promise<ReturnType<typeof parseEnvelope>> {
  const bytes = await fetcher.fetch(role, meta.length);
  if (bytes === undefined) throw missing(role, gun, `, although ${above}.json lists it`);
  verifyFileMeta(role, bytes, meta, above);
  return parseEnvelope(role, bytes);
}
