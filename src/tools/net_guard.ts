/**
 * SSRF guard: classifies IP addresses and refuses loopback, private, link-local (incl. the
 * 169.254.169.254 metadata address), CGNAT, multicast, reserved, IPv4-mapped/compatible IPv6 and
 * NAT64 addresses of internal IPv4s. Pure functions; web_fetch applies them to every resolved address.
 */

import { parseIp } from "../core/ip.ts";

export { parseIp };

const V4_BLOCKS: [number[], number, string][] = [
  [[0, 0, 0, 0], 8, "unspecified"],
  [[10, 0, 0, 0], 8, "private"],
  [[100, 64, 0, 0], 10, "carrier-grade NAT"],
  [[127, 0, 0, 0], 8, "loopback"],
  [[169, 254, 0, 0], 16, "link-local / cloud metadata"],
  [[172, 16, 0, 0], 12, "private"],
  [[192, 0, 0, 0], 24, "IETF protocol assignments"],
  [[192, 0, 2, 0], 24, "documentation"],
  [[192, 88, 99, 0], 24, "6to4 relay"],
  [[192, 168, 0, 0], 16, "private"],
  [[198, 18, 0, 0], 15, "benchmarking"],
  [[198, 51, 100, 0], 24, "documentation"],
  [[203, 0, 113, 0], 24, "documentation"],
  [[224, 0, 0, 0], 4, "multicast"],
  [[240, 0, 0, 0], 4, "reserved"],
];

function inPrefix(bytes: Uint8Array, prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3, mask = 0x80 >> (i & 7);
    if ((bytes[byte]! & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** Why an address must not be fetched, or undefined when it is a public unicast address. */
export function blockedReason(ip: string): string | undefined {
  const b = parseIp(ip);
  if (!b) return "not an IP address";
  if (b.length === 4) {
    for (const [prefix, bits, why] of V4_BLOCKS) if (inPrefix(b, prefix, bits)) return why;
    return undefined;
  }
  const embedded = embeddedV4Reason(b);
  if (embedded !== null) return embedded;
  const v6: [number[], number, string][] = [
    [[], 128, "unspecified"],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96, "IPv4-mapped IPv6"],
    [[], 96, "IPv4-compatible IPv6"],
    [[0x20, 0x01, 0x0d, 0xb8], 32, "documentation"],
    [[0x20, 0x02], 16, "6to4"],
    [[0xfc], 7, "unique local (private)"],
    [[0xfe, 0x80], 10, "link-local"],
    [[0xfe, 0xc0], 10, "site-local"],
    [[0xff], 8, "multicast"],
  ];
  for (const [prefix, bits, why] of v6) if (inPrefix(b, prefix, bits)) return why;
  return undefined;
}

/**
 * IPv6 ranges that carry an IPv4 address a relay or translator will reach: each is judged by that IPv4.
 * NAT64 `64:ff9b::/96` (RFC 6052) has it in the last 32 bits; the local-use NAT64 `64:ff9b:1::/48`
 * (RFC 8215) may use any RFC 6052 prefix length, so every possible position is checked; Teredo
 * `2001::/32` has the server's IPv4 in bits 32–63 and the client's, inverted, in the last 32 bits.
 * Returns the reason when one of them is blocked, undefined when all are public, null when `b` is not
 * in these ranges.
 */
function embeddedV4Reason(b: Uint8Array): string | undefined | null {
  const v4 = (...i: number[]) => i.map((k) => b[k]!).join(".");
  let label: string;
  let candidates: string[];
  if (inPrefix(b, [0, 0x64, 0xff, 0x9b], 96)) [label, candidates] = ["NAT64", [v4(12, 13, 14, 15)]];
  else if (inPrefix(b, [0, 0x64, 0xff, 0x9b, 0, 1], 48)) {
    label = "local-use NAT64";
    // RFC 6052 positions for /96, /64, /56 and /48 prefixes (byte 8 is always zero). A position that
    // decodes to 0.0.0.0 is blocked too (0.0.0.0 reaches the host itself), so in practice only addresses
    // that decode to public IPv4s in every position pass.
    candidates = [v4(12, 13, 14, 15), v4(9, 10, 11, 12), v4(7, 9, 10, 11), v4(6, 7, 9, 10)];
  } else if (inPrefix(b, [0x20, 0x01, 0, 0], 32)) {
    label = "Teredo";
    const client = [12, 13, 14, 15].map((k) => (~b[k]!) & 0xff).join(".");
    candidates = [v4(4, 5, 6, 7), client];
  } else return null;
  for (const ip of candidates) {
    const why = blockedReason(ip);
    if (why) return `${label} of ${ip} (${why})`;
  }
  return undefined;
}

/** True for 127.0.0.1 exactly: the one address `tools.web.testAllowLoopback` lets through. */
export function isTestLoopback(ip: string): boolean {
  const b = parseIp(ip);
  return !!b && b.length === 4 && b[0] === 127 && b[1] === 0 && b[2] === 0 && b[3] === 1;
}

/** True when `host` matches an allowHosts entry: `*`, an exact name, or `*.domain` (subdomains). */
export function hostAllowed(host: string, allowHosts: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowHosts.some((e) => {
    const p = e.toLowerCase();
    return p === "*" || p === h || (p.startsWith("*.") && h.endsWith(p.slice(1)));
  });
}
