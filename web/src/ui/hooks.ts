/** Preact hooks over the gateway client. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { UiClient } from "../lib/gateway_client.ts";

export interface RequestState<T> {
  data?: T;
  error?: string;
  errorCode?: string;
  loading: boolean;
  /** The gateway does not offer the method. */
  unavailable: boolean;
  reload(): void;
}

/**
 * Calls `method` when mounted, whenever `key` changes and after every (re)connect. `method` undefined
 * means "not now".
 */
export function useRequest<T>(
  client: UiClient,
  method: string | undefined,
  params: unknown = {},
  key = "",
): RequestState<T> {
  const [state, setState] = useState<Omit<RequestState<T>, "reload" | "unavailable">>({ loading: !!method });
  const paramsRef = useRef(params);
  paramsRef.current = params;
  const gen = useRef(0);
  const run = useCallback(() => {
    if (!method || !client.has(method)) return;
    const g = ++gen.current;
    setState((s) => ({ ...s, loading: true }));
    client.request<T>(method, paramsRef.current).then(
      (data) => g === gen.current && setState({ data, loading: false }),
      (err) =>
        g === gen.current &&
        setState((s) => ({ ...s, loading: false, error: err.message, errorCode: err.code })),
    );
  }, [client, method, key]);
  useEffect(() => {
    run();
    return client.onHello(() => run());
  }, [run]);
  return { ...state, unavailable: !!method && !!client.hello && !client.has(method), reload: run };
}

/** Subscribes to a gateway event for the life of the component. */
export function useEvent(
  client: UiClient,
  event: string,
  fn: (payload: unknown) => void,
  deps: unknown[] = [],
) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => client.on(event, (p) => ref.current(p)), [client, event, ...deps]);
}

/** Subscribes one handler to several gateway events for the life of the component. */
export function useEvents(
  client: UiClient,
  events: readonly string[],
  fn: (payload: unknown, event: string) => void,
  deps: unknown[] = [],
) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const offs = events.map((e) => client.on(e, (p) => ref.current(p, e)));
    return () => offs.forEach((off) => off());
  }, [client, events.join(","), ...deps]);
}

/** WebSocket close code 1012: the gateway closed the connection because it is restarting. */
export const CLOSE_RESTART = 1012;

/** True from the moment the gateway closes the connection for a restart until it says hello again. */
export function useRestarting(client: UiClient): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const offClose = client.onClose((code) => code === CLOSE_RESTART && setOn(true));
    const offHello = client.onHello(() => setOn(false));
    return () => {
      offClose();
      offHello();
    };
  }, [client]);
  return on;
}
