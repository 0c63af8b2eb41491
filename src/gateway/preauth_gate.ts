/**
 * Bounds what unauthenticated WebSockets can cost. Deno reassembles a whole message (up to 64 MiB) before
 * any of our code sees it, and Deno 2.9 has no option to lower that limit (denoland/deno#15809), so an
 * unauthenticated socket can make the gateway hold about two copies of a 63 MiB frame (the reassembled
 * bytes and the string made from them) before the size check refuses it. What we can bound is how many
 * such sockets exist:
 * - `perAddress` / `total`: unauthenticated sockets per address key (see address_key.ts) and overall,
 *   open or waiting for their turn; more are refused at once (429 / 503);
 * - `openPerAddress` / `openTotal`: how many of them are upgraded (able to send frames) at the same time.
 *   The others wait with their upgrade request unanswered (so they cannot send frames either) until a
 *   socket ahead of them authenticates or closes, or until `waitMs` passes (503).
 * - `penalize(key)`: an address whose unauthenticated socket sent an oversize (or binary) frame gets no
 *   unauthenticated socket for `penaltyMs`. No client needs a big frame before auth, and memory from a
 *   refused frame is returned only by a later GC, so this stops one address sending frame after frame.
 * Worst case before auth: one frame in reach per open socket, `openPerAddress` from one address and
 * `openTotal` overall (README "Security model" has the measured figures).
 */
import type { Clock } from "../core/clock.ts";

export interface PreAuthLimits {
  perAddress: number;
  total: number;
  openPerAddress: number;
  openTotal: number;
  /** Longest a socket waits for its turn before it is refused. */
  waitMs: number;
  /** How long a penalized address gets no unauthenticated sockets. */
  penaltyMs: number;
}

/** A place taken by one unauthenticated socket; `release()` (idempotent) when it authenticated or closed. */
export interface PreAuthTicket {
  release(): void;
}

export type PreAuthEntry =
  | { ok: true; ticket: PreAuthTicket }
  | { ok: false; status: 429 | 503; reason: string };

export interface PreAuthGate {
  /** Takes a place for an unauthenticated socket of address key `key`, waiting for its turn if needed. */
  enter(key: string): Promise<PreAuthEntry>;
  /** Refuses unauthenticated sockets of `key` for `penaltyMs`, also those already waiting. */
  penalize(key: string): void;
  /** Counts, for status and tests. */
  stats(): { unauthenticated: number; open: number; waiting: number };
}

interface Waiter {
  key: string;
  admit(): void;
}

export function createPreAuthGate(limits: PreAuthLimits, clock: Clock): PreAuthGate {
  const held = new Map<string, number>(); // per key: open + waiting
  const open = new Map<string, number>(); // per key: open only
  let heldTotal = 0;
  let openTotal = 0;
  const waiters: Waiter[] = [];
  const penalties = new Map<string, number>(); // key → refused until
  const penalized = (key: string) => {
    const until = penalties.get(key);
    if (until === undefined) return false;
    if (until > clock.now()) return true;
    penalties.delete(key);
    return false;
  };
  const PENALIZED = "this address sent an oversize frame before authenticating; try again later";

  const bump = (m: Map<string, number>, key: string, by: number) => {
    const n = (m.get(key) ?? 0) + by;
    if (n > 0) m.set(key, n);
    else m.delete(key);
  };
  const canOpen = (key: string) =>
    openTotal < limits.openTotal && (open.get(key) ?? 0) < limits.openPerAddress;
  const leaveHeld = (key: string) => {
    bump(held, key, -1);
    heldTotal--;
  };
  const ticketFor = (key: string): PreAuthTicket => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        bump(open, key, -1);
        openTotal--;
        leaveHeld(key);
        admitWaiters();
      },
    };
  };
  const admitWaiters = () => {
    for (let i = 0; i < waiters.length;) {
      const w = waiters[i]!;
      if (!canOpen(w.key)) {
        i++;
        continue;
      }
      waiters.splice(i, 1);
      w.admit();
    }
  };

  return {
    enter(key) {
      if (penalized(key)) return Promise.resolve({ ok: false, status: 429, reason: PENALIZED });
      if (heldTotal >= limits.total) {
        return Promise.resolve({ ok: false, status: 503, reason: "too many unauthenticated connections" });
      }
      if ((held.get(key) ?? 0) >= limits.perAddress) {
        return Promise.resolve({
          ok: false,
          status: 429,
          reason: "too many unauthenticated connections from this address",
        });
      }
      bump(held, key, 1);
      heldTotal++;
      const take = (): PreAuthEntry => {
        bump(open, key, 1);
        openTotal++;
        return { ok: true, ticket: ticketFor(key) };
      };
      if (canOpen(key) && !waiters.some((w) => w.key === key)) return Promise.resolve(take());
      return new Promise<PreAuthEntry>((resolve) => {
        const waiter: Waiter = {
          key,
          admit() {
            clock.clearTimeout(timer);
            if (!penalized(key)) return resolve(take());
            leaveHeld(key);
            resolve({ ok: false, status: 429, reason: PENALIZED });
          },
        };
        const timer = clock.setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          leaveHeld(key);
          resolve({
            ok: false,
            status: 503,
            reason: "timed out waiting for earlier unauthenticated connections",
          });
        }, limits.waitMs);
        waiters.push(waiter);
      });
    },
    penalize(key) {
      if (penalties.size >= 10_000) penalties.clear(); // bounded; a flood of addresses only forgets early
      penalties.set(key, clock.now() + limits.penaltyMs);
    },
    stats: () => ({ unauthenticated: heldTotal, open: openTotal, waiting: waiters.length }),
  };
}
