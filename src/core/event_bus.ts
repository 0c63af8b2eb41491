import type { BusEvent } from "./types.ts";

export type BusListener = (event: BusEvent) => void;

export interface SubscribeOptions {
  /**
   * Whether the listener wants the runs' stream events ("agent", "chat": deltas, lifecycle). Default
   * true. Listeners that only watch for something else (approvals, egress) say false, so that while
   * nobody wants the streams the shard workers need not send them (`streamListeners`).
   */
  runStreams?: boolean;
  /**
   * Only events of this session. Such listeners are kept by key, so a publish calls the listeners of its
   * event's session and the unkeyed ones, not every waiting request's (an HTTP turn listens for its own
   * session only; with 1,000 turns in flight, each event would otherwise call 1,000 listeners). Keyed
   * listeners are called after the unkeyed ones.
   */
  sessionKey?: string;
}

/** A synchronous in-process publish/subscribe bus. A listener that throws never affects others. */
export interface EventBus {
  publish(event: BusEvent): void;
  /** Subscribes to every event; returns an unsubscribe function. */
  subscribe(listener: BusListener, options?: SubscribeOptions): () => void;
  /**
   * How many listeners want run stream events, as a shared counter (index 0) that other threads read
   * with `Atomics.load`: a shard worker forwards a run's stream events only while it is above zero.
   */
  readonly streamListeners: SharedArrayBuffer;
}

/** Creates an event bus. `onListenerError` sees errors thrown by listeners. */
export function createEventBus(onListenerError: (err: unknown) => void = () => {}): EventBus {
  const listeners = new Set<BusListener>();
  const bySession = new Map<string, Set<BusListener>>();
  const streamListeners = new SharedArrayBuffer(4);
  const count = new Int32Array(streamListeners);
  const deliver = (set: Set<BusListener>, event: BusEvent) => {
    for (const listener of set) {
      try {
        listener(event);
      } catch (err) {
        onListenerError(err);
      }
    }
  };
  return {
    streamListeners,
    publish(event) {
      deliver(listeners, event);
      const keyed = event.sessionKey === undefined ? undefined : bySession.get(event.sessionKey);
      if (keyed) deliver(keyed, event);
    },
    subscribe(listener, options = {}) {
      // A wrapper, so the same function subscribed twice is two subscriptions (and two unsubscribes).
      const entry: BusListener = (e) => listener(e);
      const key = options.sessionKey;
      let set = listeners;
      if (key !== undefined) {
        set = bySession.get(key) ?? new Set();
        bySession.set(key, set);
      }
      set.add(entry);
      const streams = options.runStreams !== false;
      if (streams) Atomics.add(count, 0, 1);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        set.delete(entry);
        if (key !== undefined && set.size === 0 && bySession.get(key) === set) bySession.delete(key);
        if (streams) Atomics.sub(count, 0, 1);
      };
    },
  };
}

/** True while some listener of the bus that owns `streamListeners` wants run stream events. */
export function wantsRunStreams(streamListeners: SharedArrayBuffer | undefined): boolean {
  return streamListeners === undefined || Atomics.load(new Int32Array(streamListeners), 0) > 0;
}
