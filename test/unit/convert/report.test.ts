// The shared converter report: findings reach the YAML comments and the JSON report, and refusals stop the output.
import { parse } from 'yaml';
import {
  CONVERSION_REPORT_VERSION,
  ConversionRecorder,
  toConversionReport,
  toConversionYaml,
} from '../../../src/convert/report';
import type { ClusterImagePolicyObject } from '../../../src/policy/crd/crd.types';
import { PolicyError } from '../../../src/policy/errors';

const policy: ClusterImagePolicyObject = {
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'ClusterImagePolicy',
  metadata: { name: 'team-a' },
  spec: { images: [{ glob: 'registry.example/team-a/**' }], authorities: [] },
} as unknown as ClusterImagePolicyObject;

describe('ConversionRecorder', () => {
  it('puts per-policy findings above their policy and the rest in the header', () => {
    const r = new ConversionRecorder();
    r.unmapped('Policy/a spec.background', 'only affects background scans', 'team-a');
    r.note('values.yaml', 'read me');
    const yaml = toConversionYaml(r.finish('Peer', [policy]), 'from-peer', 'in.yaml');
    const [header = '', body = ''] = yaml.split('apiVersion:');
    expect(header).toContain('# NOTE: values.yaml: read me');
    expect(header).toContain('# UNMAPPED: Policy/a spec.background: only affects background scans');
    expect(header.indexOf('NOTE')).toBeLessThan(header.indexOf('UNMAPPED'));
    expect(parse(`apiVersion:${body}`)).toMatchObject({ metadata: { name: 'team-a' } });
  });

  it('refuses the whole conversion when any field cannot be mapped, naming each one', () => {
    const r = new ConversionRecorder();
    r.refuse('Policy/a spec.x', 'would admit unsigned images');
    r.refuse('Policy/b spec.y', 'would deny signed images');
    let caught: unknown;
    try {
      r.finish('Peer', [policy]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as PolicyError).code).toBe('POLICY_CONVERT_UNMAPPABLE');
    expect((caught as PolicyError).message).toMatch(/Policy\/a spec\.x: would admit[\s\S]*Policy\/b spec\.y/);
    expect((caught as PolicyError).fieldErrors).toHaveLength(2);
  });

  it('writes a versioned JSON report listing the policies and findings', () => {
    const r = new ConversionRecorder();
    r.semantics('Policy/a spec.match', 'first match wins in Peer', 'team-a');
    const report = JSON.parse(toConversionReport(r.finish('Peer', [policy]), 'in.yaml')) as Record<
      string,
      unknown
    >;
    expect(report).toEqual({
      apiVersion: CONVERSION_REPORT_VERSION,
      from: 'Peer',
      source: 'in.yaml',
      policies: [{ kind: 'ClusterImagePolicy', name: 'team-a' }],
      findings: [
        {
          kind: 'semantics',
          source: 'Policy/a spec.match',
          message: 'first match wins in Peer',
          policy: 'team-a',
        },
      ],
    });
  });
});
