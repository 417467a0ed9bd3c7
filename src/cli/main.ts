import { Command, CommanderError, Option } from 'commander';
import { describeUnknown, isPortcullisError } from '../errors';
import { EXIT_USAGE } from './errors';
import { fromHpvs } from './from-hpvs';
import { fromConnaisseur, fromPortieris } from './from-peers';
import { fromNotation, type FromNotationFlags } from './from-notation';
import { fromKyverno } from './from-kyverno';
import { fromPolicyController } from './from-policy-controller';
import { fromContainersPolicy } from './from-containers-policy';
import type { ConvertOutputFlags } from './convert-output';
import { lint } from './lint';
import { review } from './review';
import { serve } from './serve';
import { verify } from './verify';
import { packageVersion } from './version';

// collect lets a flag be repeated (`--insecure-registry a --insecure-registry b`).
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

// withNoMatch maps commander's `match` (it strips the `no-` of `--no-match`) back to our flag name.
function withNoMatch<T extends { match?: string }>(flags: T): T & { noMatch?: string } {
  return { ...flags, ...(flags.match === undefined ? {} : { noMatch: flags.match }) };
}

/** Help text of --namespace-labels (serve --policy-dir, verify, review). */
const NAMESPACE_LABELS_HELP =
  'YAML map of namespace name to labels, to judge ClusterImagePolicy namespaceSelectors without a cluster';

// registryOptions adds the registry flags shared by serve, verify and review.
function registryOptions(cmd: Command): Command {
  return cmd
    .option(
      '--insecure-registry <host[:port]>',
      'use HTTP or unverified TLS for this registry only (repeatable)',
      collect,
    )
    .option('--registry-ca <file>', 'PEM bundle of extra CAs to trust for registries')
    .addOption(
      new Option('--no-match <action>', 'what to do with images no policy governs')
        .choices(['deny', 'allow', 'warn'])
        .default('deny'),
    )
    .option('--docker-config <file>', 'docker config JSON with pull credentials (repeatable)', collect);
}

/** Help text of --tuf-mirror. */
const TUF_MIRROR_HELP =
  'TUF repository to refresh the public-good Sigstore TrustedRoot from (e.g. https://tuf-repo-cdn.sigstore.dev); ' +
  'without it nothing is fetched and the root shipped in the package is used';

// tufOptions adds the TUF flags; `periodic` adds the refresh interval (serve refreshes on a timer, the others once).
function tufOptions(cmd: Command, periodic: boolean): Command {
  cmd
    .option('--tuf-mirror <url>', TUF_MIRROR_HELP)
    .option('--tuf-root <file>', "the mirror's initial TUF root.json (built in for the public-good mirror)")
    .option(
      '--tuf-cache-dir <dir>',
      'folder of the TUF cache (default: a per-user folder under the home folder)',
    );
  return periodic
    ? cmd.option(
        '--tuf-refresh-interval <duration>',
        'how often to refresh through TUF, 1m to 7d (default 1h)',
      )
    : cmd;
}

// buildProgram declares every command of docs/operations.md#commands; actions resolve to an exit code.
function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('portcullis')
    .description('Admit only signed container images (cosign, Notary v1, Notation, OCI Vault).')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError();
  registryOptions(
    tufOptions(program.command('serve'), true)
      .description('run the admission webhook (POST /validate, /mutate; GET /healthz, /readyz, /metrics)')
      .option('--listen <host:port>', 'address to listen on', '0.0.0.0:8443')
      .option('--tls-cert <file>', 'serving certificate (PEM), hot-reloaded on change')
      .option('--tls-key <file>', 'serving key (PEM), hot-reloaded on change')
      .option('--plain-http', 'serve plain HTTP; loopback only, for local tests')
      .option('--policy-dir <dir>', 'load policies from YAML files in this folder instead of the cluster')
      .option('--namespace-labels <file>', `${NAMESPACE_LABELS_HELP} (with --policy-dir; reloaded on change)`)
      .option('--kubeconfig <file>', 'kubeconfig for cluster mode')
      .option('--log-level <level>', 'pino log level', 'info')
      .option(
        '--tag-ttl <seconds>',
        'how long a tag-to-digest resolution is reused, e.g. 30s or 2m; 0 turns it off (default 30s)',
      )
      .option(
        '--break-glass-trusted-controllers <users>',
        'user names of the controllers whose requests inherit break-glass (allowedGroups judged on what people submit); ' +
          'repeatable or comma list, replaces the kube-controller-manager defaults; "" trusts none',
        collect,
      )
      .addOption(
        new Option(
          '--break-glass-ungoverned <action>',
          'whether break-glass admits an image no policy governs under --no-match deny',
        )
          .choices(['admit', 'deny'])
          .default('admit'),
      )
      .option(
        '--tls-self-managed-secret <namespace/name>',
        'self-managed TLS: rotate the CA and serving certificate kept in this Secret, writing the pair to --tls-cert/--tls-key',
      )
      .option(
        '--tls-validating-webhook <name>',
        'self-managed TLS: ValidatingWebhookConfiguration whose caBundle is kept current',
      )
      .option(
        '--tls-mutating-webhook <name>',
        'self-managed TLS: MutatingWebhookConfiguration whose caBundle is kept current',
      )
      .option(
        '--tls-dns-name <name>',
        'self-managed TLS: DNS name of the serving certificate (repeatable)',
        collect,
      )
      .option(
        '--tls-ca-overlap <duration>',
        'self-managed TLS: how long both CAs are trusted around each switch (default 24h)',
      )
      .option(
        '--drain-delay <duration>',
        'after SIGTERM, how long /readyz fails while requests are still served, before the listener closes (default 5s)',
      )
      .option(
        '--metrics-listen <host:port>',
        'also serve GET /metrics over plain HTTP here, for scrapers without the webhook CA or a client certificate',
      )
      .option(
        '--valkey-url <url>',
        'shared verification cache across replicas: redis://host[:port][/db] or rediss:// (TLS)',
      )
      .option('--valkey-password-file <file>', 'Valkey password (AUTH), read from this file')
      .option('--valkey-ca-file <file>', 'PEM CA bundle to trust for a rediss:// Valkey')
      .option(
        '--valkey-hmac-key-file <file>',
        'key (at least 32 bytes) of the HMAC on every shared entry; required with --valkey-url',
      ),
  ).action(async (flags) => setExit(await serve(withNoMatch(flags))));
  registryOptions(
    tufOptions(program.command('verify'), false)
      .description(
        'evaluate images against the policies in --policy-dir (exit 0 allowed, 1 denied, 2 usage error)',
      )
      .argument('[image...]', 'image references')
      .option(
        '-f, --file <file-or-folder>',
        'also verify every image of these manifests (multi-document YAML, JSON, lists; a folder is read recursively; - for stdin; repeatable)',
        collect,
      )
      .requiredOption('--policy-dir <dir>', 'folder of policy YAML files')
      .option('--namespace-labels <file>', NAMESPACE_LABELS_HELP)
      .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
      .option(
        '--namespace <ns>',
        'namespace to evaluate in (selects ImagePolicies and ClusterImagePolicy namespaceSelectors)',
        'default',
      )
      .option('--timeout <seconds>', 'time budget per image', '30')
      .option(
        '--runtime-class <name>',
        'judge each image in a Pod with this runtimeClassName (policies with spec.placement)',
      )
      .option(
        '--node-selector <key=value>',
        'a nodeSelector label of that Pod (repeatable; policies with spec.placement)',
        collect,
      )
      .option('--verbose', 'log registry and verification steps to stderr'),
  ).action(async (images: string[], flags) => setExit(await verify(images, withNoMatch(flags))));
  registryOptions(
    tufOptions(program.command('review'), false)
      .description('judge an AdmissionReview or manifests as the webhook would (exit 0 / 1 / 2)')
      .requiredOption(
        '-f, --file <file>',
        'AdmissionReview JSON or manifest YAML (multi-document); - for stdin',
      )
      .requiredOption('--policy-dir <dir>', 'folder of policy YAML files')
      .option('--namespace-labels <file>', NAMESPACE_LABELS_HELP)
      .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--timeout <seconds>', 'time budget per object', '30')
      .option('--verbose', 'log registry and verification steps to stderr'),
  ).action(async (flags) => setExit(await review(withNoMatch(flags))));
  const policy = program.command('policy').description('policy tools');
  policy
    .command('lint')
    .description('validate policy files against the CRD schema and semantic rules')
    .argument('<file...>', 'policy YAML files')
    .action(async (files: string[]) => setExit(await lint(files)));
  policy
    .command('from-hpvs')
    .description('print ImagePolicies (notaryV1) for the images.dct of a plain IBM HPVS contract')
    .argument('<contract>', 'plain contract or workload section (YAML)')
    .option('--namespace <ns>', 'metadata.namespace of the generated ImagePolicies')
    .action(async (file: string, flags: { namespace?: string }) => setExit(await fromHpvs(file, flags)));
  policy
    .command('from-notation')
    .description('print ImagePolicies (notation) for a Notation trust policy and its trust store')
    .argument('<trustpolicy>', "Notation's trustpolicy.json (version 1.0)")
    .requiredOption('--trust-store <dir>', "Notation's trust store folder (holding x509/)")
    .option('--namespace <ns>', 'metadata.namespace of the generated ImagePolicies (default: default)')
    .option('--cluster', 'print ClusterImagePolicies (all namespaces) instead of ImagePolicies')
    .action(async (file: string, flags: FromNotationFlags) => setExit(await fromNotation(file, flags)));
  // from-connaisseur / from-portieris (issue 13)
  policy
    .command('from-connaisseur')
    .description('print ClusterImagePolicies for Connaisseur Helm values (validators + policy)')
    .argument('<values>', "Connaisseur's values.yaml")
    .option('--no-match <setting>', 'the --no-match the webhook runs with: deny, warn or allow', 'deny')
    .option('--secret-namespace <ns>', "namespace of Connaisseur's auth Secrets", 'connaisseur')
    .option('--report <file>', 'write the JSON conversion report here')
    .action(async (file: string, flags) => setExit(await fromConnaisseur(file, withNoMatch(flags))));
  policy
    .command('from-portieris')
    .description('print ImagePolicies and ClusterImagePolicies for Portieris policies')
    .argument('<file>', 'Portieris ImagePolicy / ClusterImagePolicy YAML')
    .option('--no-match <setting>', 'the --no-match the webhook runs with: deny, warn or allow', 'deny')
    .option('--namespace <ns>', 'namespace of ImagePolicies that name none', 'default')
    .option('--notary-root-key <file>', 'PEM root key of the trust data (repeatable)', collect)
    .option(
      '--signer <secret=name>',
      'a signerSecrets Secret and the signer name it holds (repeatable)',
      collect,
    )
    .option(
      '--accept-unpinned-signers',
      "convert signerSecrets although the signer's public key is not pinned (reported as semantics)",
    )
    .option('--report <file>', 'write the JSON conversion report here')
    .action(async (file: string, flags) => setExit(await fromPortieris(file, withNoMatch(flags))));
  policy
    .command('from-kyverno')
    .description('print Portcullis policies for Kyverno verifyImages rules and ImageValidatingPolicies')
    .argument('<file>', 'Kyverno ClusterPolicy / Policy / ImageValidatingPolicy YAML (multi-document)')
    .option('--namespace <ns>', 'metadata.namespace of ImagePolicies made from a Policy without one')
    .option('--report <file>', 'also write the conversion report as JSON')
    .action(async (file: string, flags: ConvertOutputFlags) => setExit(await fromKyverno(file, flags)));
  policy
    .command('from-policy-controller')
    .description('print ClusterImagePolicies for sigstore policy-controller ClusterImagePolicies')
    .argument('<file>', 'policy.sigstore.dev ClusterImagePolicy YAML (multi-document)')
    .option('--report <file>', 'also write the conversion report as JSON')
    .action(async (file: string, flags: ConvertOutputFlags) =>
      setExit(await fromPolicyController(file, flags)),
    );
  policy
    .command('from-containers-policy')
    .description(
      'print ClusterImagePolicies for a containers-policy.json(5) (Podman, CRI-O, Confidential Containers)',
    )
    .argument('<file>', 'policy.json')
    .option(
      '--key-dir <dir>',
      'look key files up here by base name (the policy names paths on another machine)',
    )
    .option('--lookaside <url>', 'the registries.d lookaside URL where signedBy signatures are published')
    .option('--no-match <setting>', 'the --no-match the webhook runs with: deny, warn or allow', 'deny')
    .option('--report <file>', 'also write the conversion report as JSON')
    .action(async (file: string, flags) => setExit(await fromContainersPolicy(file, withNoMatch(flags))));
  return program;
}

/** Runs the CLI and resolves with the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isPortcullisError(error)) {
      process.stderr.write(`portcullis: ${error.message} [${error.code}]\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`portcullis: unexpected error: ${describeUnknown(error)}\n`);
    return EXIT_USAGE;
  }
}
