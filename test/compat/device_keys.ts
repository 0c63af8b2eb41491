/** Ed25519 device identities for tests, signing connect requests the way OpenClaw clients do. */
import { base64url, sha256Hex } from "../../src/core/ids.ts";

export interface TestDevice {
  id: string;
  publicKey: string;
  privateKey: CryptoKey;
}

export async function newTestDevice(): Promise<TestDevice> {
  const pair = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { id: await sha256Hex(raw), publicKey: base64url(raw), privateKey: pair.privateKey };
}

export interface SignInput {
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  signedAt: number;
  token: string;
  nonce: string;
  platform?: string;
  deviceFamily?: string;
  version?: "v2" | "v3";
  /** Overrides the signed text entirely (for tamper tests). */
  text?: string;
}

/** The signed text, written out here independently of src/gateway/device.ts (from the protocol notes). */
function signedText(id: string, i: SignInput): string {
  const norm = (v?: string) => (v ?? "").trim().toLowerCase();
  const base = [
    i.version ?? "v3",
    id,
    i.clientId,
    i.clientMode,
    i.role,
    i.scopes.join(","),
    i.signedAt,
    i.token,
    i.nonce,
  ];
  return (i.version === "v2" ? base : [...base, norm(i.platform), norm(i.deviceFamily)]).join("|");
}

/** The device block for `input`, signed by `device` (or by `signer` when given). */
export async function deviceBlock(device: TestDevice, input: SignInput, signer?: CryptoKey) {
  const text = input.text ?? signedText(device.id, input);
  const sig = new Uint8Array(
    await crypto.subtle.sign("Ed25519", signer ?? device.privateKey, new TextEncoder().encode(text)),
  );
  return {
    id: device.id,
    publicKey: device.publicKey,
    signature: base64url(sig),
    signedAt: input.signedAt,
    nonce: input.nonce,
  };
}
