/**
 * QR codes of a link payload (WhatsApp's linked-device QR): Unicode blocks for terminals, SVG for the
 * Control UI. Loaded on demand by `channels.login` and `talon channels login`.
 */
import { renderSVG, renderUnicodeCompact } from "uqr";

/** The QR as half-block characters, two modules per line, with a quiet zone. */
export function qrForTerminal(data: string): string {
  return renderUnicodeCompact(data, { border: 2 });
}

/** The QR as a standalone SVG document (black on white). */
export function qrSvg(data: string): string {
  return renderSVG(data, { border: 2 });
}
