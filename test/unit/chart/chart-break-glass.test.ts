// The chart's break-glass values reach `portcullis serve` as --break-glass-* flags, and the schema refuses
// values serve would refuse.
import { findHelm, only, render, template } from './helm';

const helm = findHelm();

// serveArgs renders the chart with helm arguments (`--set k=v`, `--set-json k=json`) and returns the webhook
// container's arguments.
function serveArgs(h: string, helmArgs: readonly string[] = []): string[] {
  return only(render(h, helmArgs), 'Deployment').spec.template.spec.containers[0].args;
}

// flagValues lists the values given to `flag` in an argument list.
function flagValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

function breakGlassTests(h: string): void {
  test('by default: ungoverned images admitted, and serve’s own trusted controllers (no flag)', () => {
    const args = serveArgs(h);
    expect(flagValues(args, '--break-glass-ungoverned')).toEqual(['admit']);
    expect(flagValues(args, '--break-glass-trusted-controllers')).toEqual([]);
  });

  test.each([
    [['--set', 'server.breakGlass.ungoverned=deny'], '--break-glass-ungoverned', ['deny']],
    [
      ['--set-json', 'server.breakGlass.trustedControllers=["system:kube-controller-manager","my-operator"]'],
      '--break-glass-trusted-controllers',
      ['system:kube-controller-manager,my-operator'],
    ],
    // An empty list trusts no controller (helm's `--set k={}` would give [""], which the schema refuses).
    [['--set-json', 'server.breakGlass.trustedControllers=[]'], '--break-glass-trusted-controllers', ['']],
  ])('helm %j renders %s %j', (helmArgs, flag, values) => {
    expect(flagValues(serveArgs(h, helmArgs), flag)).toEqual(values);
  });

  test.each([
    [['server.breakGlass.ungoverned=allow'], "at '/server/breakGlass/ungoverned'"],
    [['server.breakGlass.trustedControllers[0]=two words'], "at '/server/breakGlass/trustedControllers/0'"],
    [['server.breakGlass.extra=1'], "additional properties 'extra' not allowed"],
  ])('refuses %j: %s', (sets, message) => {
    const run = template(
      h,
      sets.flatMap((s) => ['--set', s]),
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
  });
}

if (helm.path === undefined) {
  test.skip(`chart break-glass rendering skipped: ${helm.reason}`, () => undefined);
} else {
  describe('chart: server.breakGlass', () => breakGlassTests(helm.path as string));
}
