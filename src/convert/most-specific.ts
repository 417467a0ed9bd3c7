// Reproduces a peer's "only the most specific matching rule decides" with Portcullis policies, which all apply
// when their globs match. Shared by the Connaisseur and Portieris converters.
import type { ImageGlob, ImagePolicySpec } from '../policy/crd/crd.types';
import { MAX_IMAGES_PER_POLICY } from '../policy/crd/schema';
import { globsOverlap } from './glob-overlap';
import type { ConversionRecorder } from './report';

/** The webhook's `--no-match` setting the converted policies will run under. */
export type NoMatchSetting = 'deny' | 'warn' | 'allow';

/** The parts of a policy spec a rule decides; `images` comes from the rule's globs. */
export type RuleSpec = Omit<ImagePolicySpec, 'images' | 'excludeImages'>;

/** What a peer's rule does with the images it decides. */
export type RuleOutcome =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny' }
  /** Every spec must pass (one Portcullis policy each). */
  | { readonly kind: 'verify'; readonly specs: readonly RuleSpec[] };

/** One rule of the peer, with its pattern already turned into Portcullis globs. */
export interface PeerRule {
  /** Where in the input, for messages. */
  readonly source: string;
  /** The pattern as the user wrote it. */
  readonly pattern: string;
  readonly globs: readonly string[];
  /** When set, the rule decides only references naming one of these tags (an `images` entry's `tags`). */
  readonly tags?: readonly string[];
  /** The peer's specificity, compared element by element; higher wins. */
  readonly rank: readonly number[];
  readonly outcome: RuleOutcome;
}

// compareRank orders two ranks lexicographically.
function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

// sameOutcome says whether two rules decide every image alike (then applying both equals applying one).
function sameOutcome(a: RuleOutcome, b: RuleOutcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// overlaps says whether some image matches a glob of each rule (and a tag of each, when they are tag-limited).
function overlaps(a: PeerRule, b: PeerRule): boolean {
  if (a.tags !== undefined && b.tags !== undefined && !a.tags.some((t) => b.tags?.includes(t))) return false;
  return a.globs.some((x) => b.globs.some((y) => globsOverlap(x, y)));
}

/** A rule that becomes policies, with the images of more specific rules taken out of it (`excludeImages`). */
export type EmittedRule = PeerRule & { readonly excludes: readonly ImageGlob[] };

/** How the converted policies keep a more specific rule's images away from a less specific one. */
export interface MostSpecificOptions {
  /**
   * Exclude them (excludeImages). Exact only when each rule's globs and tags are exactly its reach; otherwise
   * such overlaps are refused.
   */
  readonly exclude?: boolean;
}

// entriesOf lists a rule's reach as images / excludeImages entries.
export function entriesOf(rule: PeerRule): ImageGlob[] {
  return rule.globs.map((glob) => ({ glob, ...(rule.tags ? { tags: [...rule.tags] } : {}) }));
}

/**
 * Checks that applying every converted policy decides like the peer's most-specific rule, and returns the rules
 * that become policies (those that verify). Records a refusal for every case where it would not:
 * - a verifying rule overlaps a more specific rule with another outcome (Portcullis would apply both);
 * - two overlapping rules are equally specific but decide differently (the peer picks one by its own order);
 * - a static allow or deny rule whose images, left without a policy, would not get that answer from `--no-match`;
 * - images no rule matches, which the peer denies, when `--no-match` admits and no rule catches everything.
 */
export function resolveMostSpecific(
  peer: string,
  rules: readonly PeerRule[],
  noMatch: NoMatchSetting,
  rec: ConversionRecorder,
  options: MostSpecificOptions = {},
): EmittedRule[] {
  const excludes = new Map<PeerRule, ImageGlob[]>(rules.map((r) => [r, []]));
  for (let i = 0; i < rules.length; i++)
    for (let j = i + 1; j < rules.length; j++) {
      const [a, b] = [rules[i] as PeerRule, rules[j] as PeerRule];
      const lo = checkPair(peer, a, b, rec, options.exclude === true);
      if (lo === undefined) continue;
      const hi = lo === a ? b : a;
      excludes.get(lo)?.push(...entriesOf(hi));
      rec.note(
        lo.source,
        `excludeImages leaves out "${hi.pattern}" (${hi.source}): ${peer} decides those images by that more ` +
          'specific rule alone',
      );
    }
  for (const [rule, out] of excludes)
    if (out.length > MAX_IMAGES_PER_POLICY)
      rec.refuse(
        rule.source,
        `pattern "${rule.pattern}" would need ${out.length} excludeImages entries for the more specific patterns ` +
          `inside it; at most ${MAX_IMAGES_PER_POLICY} fit in one policy`,
      );
  for (const rule of rules) checkStatic(peer, rule, noMatch, rec);
  if (noMatch !== 'deny' && !rules.some((r) => r.globs.includes('**')))
    rec.refuse(
      'policy',
      `${peer} denies an image that no rule matches, but with --no-match ${noMatch} Portcullis would admit it; ` +
        `add a catch-all rule ("*") to the ${peer} input or convert for --no-match deny`,
    );
  return rules
    .filter((r) => r.outcome.kind === 'verify')
    .map((r) => ({ ...r, excludes: excludes.get(r) ?? [] }));
}

// checkPair refuses two overlapping rules that Portcullis cannot keep apart, or, with `exclude`, returns the
// less specific one when it verifies: it must exclude the other's images.
function checkPair(
  peer: string,
  a: PeerRule,
  b: PeerRule,
  rec: ConversionRecorder,
  exclude: boolean,
): PeerRule | undefined {
  if (sameOutcome(a.outcome, b.outcome) || !overlaps(a, b)) return undefined;
  const order = compareRank(a.rank, b.rank);
  if (order === 0) {
    rec.refuse(
      b.source,
      `pattern "${b.pattern}" is as specific as "${a.pattern}" (${a.source}) and both match some images, but ` +
        `they decide differently; ${peer} picks one by its own order, Portcullis cannot: make one more specific`,
    );
    return undefined;
  }
  const [lo, hi] = order < 0 ? [a, b] : [b, a];
  if (lo.outcome.kind !== 'verify') return undefined;
  if (exclude) return lo;
  rec.refuse(
    lo.source,
    `pattern "${lo.pattern}" also matches images of the more specific pattern "${hi.pattern}" (${hi.source}). ` +
      `${peer} decides those images by "${hi.pattern}" alone; Portcullis applies every matching policy, and ` +
      `globs cannot exclude "${hi.pattern}" from "${lo.pattern}", so those images would ${
        hi.outcome.kind === 'deny'
          ? 'be admitted when they pass this rule instead of denied'
          : 'also have to pass this rule'
      }`,
  );
  return undefined;
}

// checkStatic keeps a static rule's images without a policy, which is faithful only under the right --no-match.
function checkStatic(peer: string, rule: PeerRule, noMatch: NoMatchSetting, rec: ConversionRecorder): void {
  const { kind } = rule.outcome;
  if (kind === 'deny' && noMatch !== 'deny')
    rec.refuse(
      rule.source,
      `pattern "${rule.pattern}" denies its images; Portcullis has no policy that denies, so they are left to ` +
        `--no-match, which is ${noMatch}: they would be admitted. Convert with --no-match deny`,
    );
  else if (kind === 'allow' && noMatch === 'deny')
    rec.refuse(
      rule.source,
      `pattern "${rule.pattern}" admits its images without verification; Portcullis admits an unverified image ` +
        'only when no policy governs it and --no-match admits it. Convert with --no-match allow (or warn) if ' +
        'the webhook runs so, or remove the rule',
    );
  else if (kind === 'allow')
    rec.semantics(
      rule.source,
      `pattern "${rule.pattern}" admits without verification in ${peer}; no policy is generated for it, so its ` +
        `images are admitted by --no-match ${noMatch}${noMatch === 'warn' ? ' (with a warning)' : ''}`,
    );
  else if (kind === 'deny')
    rec.semantics(
      rule.source,
      `pattern "${rule.pattern}" denies its images; no policy is generated for it, so --no-match deny denies them ` +
        '(POLICY_NO_MATCH)',
    );
}
