// The chart's server.tuf values: by default the public-good root is refreshed from Sigstore's TUF mirror into an
// emptyDir cache; off for air-gapped clusters (no TUF flag at all); a private mirror takes its root from a ConfigMap.
import { findHelm, only, render, template, type K8sObject } from './helm';

const helm = findHelm();

// deployment renders the chart with `--set` values and returns the Deployment.
function deployment(h: string, sets: readonly string[] = []): K8sObject {
  return only(
    render(
      h,
      sets.flatMap((s) => ['--set', s]),
    ),
    'Deployment',
  );
}

// flagValues lists the values given to `flag` in an argument list.
function flagValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

function tufTests(h: string): void {
  test('by default: the public-good mirror, hourly, cached in an emptyDir', () => {
    const d = deployment(h);
    const c = d.spec.template.spec.containers[0];
    expect(flagValues(c.args, '--tuf-mirror')).toEqual(['https://tuf-repo-cdn.sigstore.dev']);
    expect(flagValues(c.args, '--tuf-refresh-interval')).toEqual(['1h']);
    expect(flagValues(c.args, '--tuf-cache-dir')).toEqual(['/var/cache/portcullis/tuf']);
    expect(flagValues(c.args, '--tuf-root')).toEqual([]);
    expect(c.volumeMounts).toContainEqual({ name: 'tuf-cache', mountPath: '/var/cache/portcullis/tuf' });
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: 'tuf-cache',
      emptyDir: { sizeLimit: '32Mi' },
    });
  });

  test('air-gapped: tuf.enabled=false renders no TUF flag and no cache', () => {
    const d = deployment(h, ['server.tuf.enabled=false']);
    const c = d.spec.template.spec.containers[0];
    expect((c.args as string[]).filter((a) => a.startsWith('--tuf'))).toEqual([]);
    expect((d.spec.template.spec.volumes as { name: string }[]).map((v) => v.name)).not.toContain(
      'tuf-cache',
    );
  });

  test('a private mirror with its TUF root from a ConfigMap', () => {
    const d = deployment(h, [
      'server.tuf.mirror=https://tuf.internal.example',
      'server.tuf.rootConfigMap.name=tuf-root',
      'server.tuf.refreshInterval=6h',
    ]);
    const c = d.spec.template.spec.containers[0];
    expect(flagValues(c.args, '--tuf-mirror')).toEqual(['https://tuf.internal.example']);
    expect(flagValues(c.args, '--tuf-root')).toEqual(['/var/run/portcullis/tuf-root/root.json']);
    expect(flagValues(c.args, '--tuf-refresh-interval')).toEqual(['6h']);
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: 'tuf-root',
      configMap: { name: 'tuf-root', items: [{ key: 'root.json', path: 'root.json' }] },
    });
  });

  test.each([
    ['server.tuf.mirror=ftp://tuf.example', "at '/server/tuf/mirror'"],
    ['server.tuf.refreshInterval=hourly', "at '/server/tuf/refreshInterval'"],
    ['server.tuf.extra=1', "additional properties 'extra' not allowed"],
  ])('refuses %s', (set, message) => {
    const run = template(h, ['--set', set]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
  });
}

if (helm.path === undefined) {
  test.skip(`chart TUF rendering skipped: ${helm.reason}`, () => undefined);
} else {
  describe('chart: server.tuf', () => tufTests(helm.path as string));
}
