import type { CompiledCertificate } from '../../policy/compile/compiled.types';
import { parseCertificate, type ParsedCertificate } from './certificate';

// Trust-store certificates were checked at compile time; their extension view is computed once and kept.
const parsed = new WeakMap<CompiledCertificate, ParsedCertificate>();

/** The parsed view of a compiled trust-store certificate, memoised per certificate object. */
export function parseAnchor(anchor: CompiledCertificate): ParsedCertificate {
  let view = parsed.get(anchor);
  if (view === undefined) {
    view = parseCertificate(anchor.der, `trust-store certificate ${anchor.id}`);
    parsed.set(anchor, view);
  }
  return view;
}
