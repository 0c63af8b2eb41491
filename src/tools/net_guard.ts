/**
 * SSRF guard: classifies IP addresses and refuses loopback, private, link-local (incl. the
 * 169.254.169.254 metadata address), CGNAT, multicast, reserved, IPv4-mapped/compatible IPv6 and
 * NAT64 addresses of internal IPv4s. Pure functions; web_fetch applies them to every resolved address.
 */

/** Parses an IPv4 or IPv6 literal (no brackets) into bytes; undefined when it is not one. */
export function parseIp(text: string): Uint8Array | undefined {
  return parseV4(text) ?? parseV6(text);
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(s) || !s.includes(":")) return undefined;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === "" ? [] : h.split(":"));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const words = [...head, ...rest].map((w) => (/^[0-9a-f]{1,4}$/.test(w) ? parseInt(w, 16) : NaN));
  if (words.some(Number.isNaN)) return undefined;
  const total = words.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...words.slice(0, head.length), ...Array(8 - total).fill(0), ...words.slice(head.length)];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

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
  const v6: [number[], number, string][] = [
    [[], 128, "unspecified"],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96, "IPv4-mapped IPv6"],
    [[], 96, "IPv4-compatible IPv6"],
    [[0, 0x64, 0xff, 0x9b], 96, "NAT64"],
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
