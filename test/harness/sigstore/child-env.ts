// What every Sigstore process and every cosign run gets as its environment: a HOME of its own (cosign keeps
// its TUF cache under it) and proxies that lead nowhere, so a request to any host but loopback fails at once
// instead of leaving this machine or hanging. Go never sends loopback requests through a proxy, so the
// local services still answer.
import * as path from 'node:path';
import { toolsBin } from '../tools';

/** The binaries of hack/tools.sh that the Sigstore harness runs. */
export type SigstoreTool = 'fulcio' | 'timestamp-server' | 'rekor-tiles' | 'tesseract' | 'cosign' | 'cosign2';

/** Port 9 (discard) on loopback: nothing listens, so a proxied request is refused straight away. */
export const DEAD_PROXY = 'http://127.0.0.1:9';

/** Path of a tool in the bin folder hack/tools.sh prints. */
export function sigstoreTool(name: SigstoreTool): string {
  return path.join(toolsBin(), name);
}

/** The environment of a child process whose home (and TUF cache) is `home`. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: process.env.TMPDIR,
    TUF_ROOT: path.join(home, '.sigstore', 'root'),
    DOCKER_CONFIG: path.join(home, '.docker'),
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    http_proxy: DEAD_PROXY,
    https_proxy: DEAD_PROXY,
    NO_PROXY: '',
    no_proxy: '',
    // TesseraCT exports metrics over OTLP; point it at the same dead loopback port.
    OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_PROXY,
    ...extra,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}
