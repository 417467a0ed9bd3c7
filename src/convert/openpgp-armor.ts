// ASCII armor (RFC 4880 §6) for binary OpenPGP keyrings: containers/image reads `gpg --export` output in either
// form, a simpleSigning authority takes armored keys only.

const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;
const LINE = 64;

// crc24 is the armor checksum of RFC 4880 §6.1.
function crc24(data: Buffer): number {
  let crc = CRC24_INIT;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}

/** Armors binary public key packets as one PUBLIC KEY BLOCK. */
export function armorPublicKeys(binary: Buffer): string {
  const b64 = binary.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += LINE) lines.push(b64.slice(i, i + LINE));
  const sum = Buffer.from([(crc24(binary) >> 16) & 0xff, (crc24(binary) >> 8) & 0xff, crc24(binary) & 0xff]);
  return [
    '-----BEGIN PGP PUBLIC KEY BLOCK-----',
    '',
    ...lines,
    `=${sum.toString('base64')}`,
    '-----END PGP PUBLIC KEY BLOCK-----',
    '',
  ].join('\n');
}
