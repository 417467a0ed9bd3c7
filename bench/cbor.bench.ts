// Benchmark: strict CBOR decoding of a real COSE_Sign1 envelope (Notation's conformance data), as
// src/verifiers/notation/cbor.ts does it (our pre-walk, then cbor-x), and, when cbor2 is installed beside it,
// with cbor2's strict options. cbor2 is not a dependency (docs/adr/0008-libraries.md says why); to compare:
//   npm i --prefix /tmp/cbor2-eval -E cbor2@2.3.0
//   CBOR2_DIR=/tmp/cbor2-eval/node_modules/cbor2 npx tsx bench/cbor.bench.ts
// Without CBOR2_DIR only today's path is measured. Also run by hack/bench.sh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkStrictCbor, decodeStrictCbor } from '../src/verifiers/notation/cbor';
import { MAX_CBOR_DEPTH } from '../src/verifiers/notation/limits';

/** Decodes per measured scenario. */
const OPERATIONS = 20_000;
const ENVELOPE = readFileSync(
  join(
    __dirname,
    '../test/fixtures/conformance/notation/notation-go/verifier/testdata/timestamp/sigEnv/coseExpiredWithTimestamp.sig',
  ),
);

// opsPerSecond runs fn `n` times (after a warm-up of n/10) and returns operations per second.
function opsPerSecond(n: number, fn: () => void): number {
  for (let i = 0; i < n / 10; i++) fn();
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (n / (performance.now() - start)) * 1000;
}

type Decode = (bytes: Uint8Array, options: Record<string, unknown>) => unknown;

async function main(): Promise<void> {
  const rows: [string, number][] = [
    ['pre-walk only (checkStrictCbor)', opsPerSecond(OPERATIONS, () => checkStrictCbor(ENVELOPE, 'bench'))],
    [
      'pre-walk + cbor-x (decodeStrictCbor, today)',
      opsPerSecond(OPERATIONS, () => decodeStrictCbor(ENVELOPE, 'bench')),
    ],
  ];
  const dir = process.env.CBOR2_DIR;
  if (dir !== undefined && dir !== '') {
    const { decode } = (await import(join(dir, 'lib/index.js'))) as { decode: Decode };
    const strict = {
      rejectDuplicateKeys: true,
      rejectStreaming: true,
      maxDepth: MAX_CBOR_DEPTH,
      preferMap: true,
    };
    rows.push(['cbor2, strict options', opsPerSecond(OPERATIONS, () => decode(ENVELOPE, strict))]);
    rows.push([
      'cbor2, strict options + requirePreferred',
      opsPerSecond(OPERATIONS, () => decode(ENVELOPE, { ...strict, requirePreferred: true })),
    ]);
  }
  process.stdout.write(`| strict CBOR decode of a ${ENVELOPE.length}-byte COSE_Sign1 | ops/s |\n|---|---|\n`);
  for (const [name, ops] of rows)
    process.stdout.write(`| ${name} | ${Math.round(ops).toLocaleString('en')} |\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
