import { Region } from 'oci-common';

/** OCIR's classic host names: `<region key or id>.ocir.io` (realm oc1). */
const OCIR_IO_HOST = /^([a-z0-9-]+)\.ocir\.io$/;
/** OCIR's per-region host names in every realm: `ocir.<region id>.oci.<realm domain>`. */
const OCIR_REALM_HOST = /^ocir\.([a-z0-9-]+)\.oci\.[a-z0-9.-]+$/;

let regionCodes: ReadonlyMap<string, string> | undefined;

// regionIdsByCode reads the SDK's region table once: three-letter keys (nrt) and ids (ap-tokyo-1).
function regionIdsByCode(): ReadonlyMap<string, string> {
  if (!regionCodes) {
    const map = new Map<string, string>();
    for (const region of Region.values()) {
      map.set(region.regionId, region.regionId);
      if (region.regionCode) map.set(region.regionCode.toLowerCase(), region.regionId);
    }
    regionCodes = map;
  }
  return regionCodes;
}

/**
 * The OCI region of an OCIR registry host, or undefined when the host is not an OCIR host. Both the region key
 * (`nrt.ocir.io`) and the region id (`ap-tokyo-1.ocir.io`, `ocir.ap-tokyo-1.oci.oraclecloud.com`) forms map
 * to the region id (`ap-tokyo-1`). An `*.ocir.io` host whose key the SDK does not know maps to `null`.
 */
export function toOcirRegion(host: string): string | null | undefined {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const match = OCIR_IO_HOST.exec(name) ?? OCIR_REALM_HOST.exec(name);
  if (!match?.[1]) return undefined;
  return regionIdsByCode().get(match[1]) ?? null;
}

/**
 * The OCIR repository name of an image: its path after the tenancy namespace (`<ns>/team/app` →
 * `team/app`), which is what `sign-upload` puts in the message. Undefined when there is no namespace segment.
 */
export function toOcirRepositoryName(repository: string): string | undefined {
  const slash = repository.indexOf('/');
  if (slash <= 0 || slash === repository.length - 1) return undefined;
  return repository.slice(slash + 1);
}
