/**
 * The key a remote address is counted under (failed logins, unauthenticated sockets). One attacker must
 * not get fresh budgets by rotating addresses it trivially owns:
 * - the whole 127.0.0.0/8 and ::1 are one key, `loopback` (any local process can bind 127.x.y.z);
 * - an IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as its IPv4 address;
 * - any other IPv6 address counts by its /64 (one host or LAN usually gets a whole /64).
 */
import { parseIp } from "../core/ip.ts";

export function addressKey(remoteAddr: string): string {
  const text = remoteAddr.trim().replace(/^\[|\]$/g, "");
  const b = parseIp(text);
  if (!b) return text;
  if (b.length === 4) return b[0] === 127 ? "loopback" : text;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 15) && b[15] === 1) return "loopback";
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) {
    return addressKey([...b.slice(12)].join("."));
  }
  const groups = [0, 2, 4, 6].map((i) => ((b[i]! << 8) | b[i + 1]!).toString(16));
  return `${groups.join(":")}::/64`;
}
