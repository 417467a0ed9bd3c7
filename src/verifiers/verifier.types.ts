import type { Logger } from 'pino';
import type { CompiledAuthority } from '../policy/compile/compiled.types';
import type { SignerIdentity } from '../policy/decide/decision.types';
import type { ImageRef } from '../reference/reference.types';
import type {
  Descriptor,
  RegistryReader,
  RegistryRequestContext,
  RepositoryRef,
} from '../registry/registry.types';

/** What is being verified: an image already resolved to the digest that will run. */
export interface VerifyTarget {
  readonly ref: ImageRef;
  readonly repo: RepositoryRef;
  /** The resolved manifest digest, `sha256:<hex>`. Signatures must bind to exactly this. */
  readonly digest: string;
  /**
   * The image manifest's descriptor, fetched on first use and memoised: a digest reference is verified
   * without asking the registry for its manifest unless a scheme signs the descriptor (Notation, Notary v1).
   */
  readonly descriptor: () => Promise<Descriptor>;
}

/** The I/O a verifier may use, handed in per request. */
export interface VerifyContext {
  readonly registry: RegistryReader;
  readonly request: RegistryRequestContext;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** Proof that an authority accepted the image. */
export interface Evidence {
  readonly scheme: CompiledAuthority['kind'];
  readonly authority: string;
  /** One line for messages and logs, e.g. `cosign bundle signed by key sha256:ab12…`. */
  readonly summary: string;
  /** Non-fatal observations to pass on as admission warnings. */
  readonly warnings?: readonly string[];
  /** Which key, keyless identity or certificate signed what was accepted (the CLI's JSON reports it). */
  readonly signer?: SignerIdentity;
}

/** One signature system. `verify` throws a VerifyError (code VERIFY_*) when the authority is not satisfied. */
export interface Verifier<A extends CompiledAuthority = CompiledAuthority> {
  readonly scheme: A['kind'];
  verify(target: VerifyTarget, authority: A, ctx: VerifyContext): Promise<Evidence>;
}
