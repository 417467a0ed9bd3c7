import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, tool } from './tools';

const run = promisify(execFile);

/** Where the chart's webhooks send reviews in out-of-cluster mode, and the CA (PEM) that signed that server. */
export interface ExternalWebhook {
  readonly url: string;
  readonly caPem: string;
}

/**
 * Renders charts/portcullis with the real helm in out-of-cluster mode (ci/external-url-values.yaml): the
 * webhook configurations point at `webhook.url`, as in development and in our e2e suite. `showOnly` limits
 * the output to some templates (e.g. `templates/serviceaccount.yaml`).
 */
export async function renderExternalChart(
  webhook: ExternalWebhook,
  showOnly: readonly string[] = [],
): Promise<string> {
  const chart = path.join(REPO_ROOT, 'charts', 'portcullis');
  const { stdout } = await run(tool('helm'), [
    'template',
    'portcullis',
    chart,
    '-n',
    'portcullis-system',
    '-f',
    path.join(chart, 'ci', 'external-url-values.yaml'),
    '--set',
    `webhook.url=${webhook.url}`,
    '--set',
    `webhook.caBundle=${Buffer.from(webhook.caPem).toString('base64')}`,
    ...showOnly.flatMap((t) => ['--show-only', t]),
  ]);
  return stdout;
}
