import { TalonError, type TalonErrorOptions } from "../core/errors.ts";

/**
 * A channel platform call failed. `kind` splits "the API said no" (`api`, e.g. 400 can't parse entities)
 * from "the network failed" (`http`), like grammY's GrammyError / HttpError.
 */
export class ChannelError extends TalonError {
  override name = "ChannelError";
  readonly channel: string;
  readonly kind: "api" | "http";
  readonly status?: number;

  constructor(
    channel: string,
    kind: "api" | "http",
    message: string,
    options: TalonErrorOptions & { status?: number } = {},
  ) {
    super(
      options.status === 429
        ? "RATE_LIMITED"
        : kind === "http" || (options.status ?? 0) >= 500
        ? "UNAVAILABLE"
        : "PROVIDER_ERROR",
      message,
      options,
    );
    this.channel = channel;
    this.kind = kind;
    this.status = options.status;
  }
}
