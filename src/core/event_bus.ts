import type { BusEvent } from "./types.ts";

export type BusListener = (event: BusEvent) => void;

/** A synchronous in-process publish/subscribe bus. A listener that throws never affects others. */
export interface EventBus {
  publish(event: BusEvent): void;
  /** Subscribes to every event; returns an unsubscribe function. */
  subscribe(listener: BusListener): () => void;
}

/** Creates an event bus. `onListenerError` sees errors thrown by listeners. */
export function createEventBus(onListenerError: (err: unknown) => void = () => {}): EventBus {
  const listeners = new Set<BusListener>();
  return {
    publish(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
