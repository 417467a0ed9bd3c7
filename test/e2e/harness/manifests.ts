// Manifests the e2e tests apply with kubectl, rendered as YAML text.

/** What a one-replica Deployment's pod template adds around its single container. */
export interface TemplateExtras {
  /** Pod template annotations, e.g. the break-glass request. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Extra pod spec entries, as YAML flow-map entries ending in ", " (e.g. `runtimeClassName: kata, `). */
  readonly spec?: string;
}

// deploymentYaml renders a one-replica Deployment in `namespace` whose template runs `image` as container `app`.
export function deploymentYaml(
  namespace: string,
  name: string,
  image: string,
  extras: TemplateExtras = {},
): string {
  const annotations = Object.entries(extras.annotations ?? {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  const meta = annotations.length > 0 ? `, annotations: {${annotations.join(', ')}}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}${meta}}
    spec: {${extras.spec ?? ''}containers: [{name: app, image: "${image}"}]}
`;
}
