// docs/cli-output.md states the JSON Schema of `verify`/`review --output json`; it must be the schema file,
// a valid JSON Schema, name the version the CLI prints, and accept what the report builder makes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { toCliReport, toResultBody } from '../../../src/cli/output/report';
import { CLI_OUTPUT_API_VERSION } from '../../../src/cli/output/report.types';
import { decide } from '../../../src/policy/decide/decide';
import { FAIL, facts, fakePolicy, request } from '../policy/helpers';

const DOCS = join(__dirname, '..', '..', '..', 'docs');
const schema = JSON.parse(readFileSync(join(DOCS, 'cli-output.schema.json'), 'utf8')) as {
  properties: { apiVersion: { const: string } };
};

// embeddedSchema reads the last json block of docs/cli-output.md, under "## JSON Schema".
function embeddedSchema(): unknown {
  const doc = readFileSync(join(DOCS, 'cli-output.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## JSON Schema'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  return JSON.parse(block ?? 'null');
}

describe('docs/cli-output.md', () => {
  const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

  test('embeds exactly the schema file, which names the version the CLI prints', () => {
    expect(embeddedSchema()).toEqual(schema);
    expect(schema.properties.apiVersion.const).toBe(CLI_OUTPUT_API_VERSION);
  });

  test('accepts a report of a denial and refuses one with an unknown field', () => {
    const P = fakePolicy({ name: 'p' });
    const decision = decide(request({ outsideCluster: true }), [facts([P], { [P.id]: [FAIL()] })]);
    const result = { kind: 'image' as const, image: 'x', namespace: 'default', ...toResultBody(decision) };
    const report = toCliReport('VerifyReport', [result], []);
    expect(validate(report)).toBe(true);
    expect(validate({ ...report, extra: 1 })).toBe(false);
  });
});
