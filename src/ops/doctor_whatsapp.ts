/**
 * `talon doctor` for WhatsApp accounts. Web: linked? credentials readable and private (0700/0600, fixed
 * with --fix)? Cloud: can Meta reach the webhook (a loopback-only gateway needs a public HTTPS proxy in
 * front), and with --online does the Graph API accept the token for the phone number id?
 */
import { talonCommand } from "../core/cli_name.ts";
import { whatsappCredentialsDir } from "../config/paths.ts";
import type { WhatsAppAccountConfig } from "../config/sections/channels.ts";
import { toE164 } from "../core/phone.ts";
import type { CheckContext, DoctorResult } from "./doctor.ts";
import { fileMode, octal } from "./findings.ts";

/** Every WhatsApp account's checks. */
export async function checkWhatsApp(ctx: CheckContext): Promise<DoctorResult[]> {
  const out: DoctorResult[] = [];
  for (const [id, acc] of Object.entries(ctx.loaded?.config.channels.whatsapp?.accounts ?? {})) {
    out.push(...(acc.mode === "web" ? await checkWeb(ctx, id) : await checkCloud(ctx, id, acc)));
  }
  return out;
}

async function checkWeb(ctx: CheckContext, id: string): Promise<DoctorResult[]> {
  const dir = whatsappCredentialsDir(ctx.paths, id);
  const check = `channel:whatsapp:${id}`;
  let creds: { me?: { id?: string } };
  try {
    creds = JSON.parse(await Deno.readTextFile(`${dir}/creds.json`));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return [{
        id: check,
        status: "warn",
        what: `whatsapp account ${id} is not linked`,
        why: "Without a linked phone the account receives and sends nothing",
        fix:
          `Run: ${talonCommand()} channels login whatsapp --account ${id} (scan the QR in WhatsApp → Linked devices)`,
      }];
    }
    return [{
      id: check,
      status: "fail",
      what: `whatsapp account ${id}: cannot read ${dir}/creds.json: ${(err as Error).message}`,
      why: "The gateway cannot use the linked device's keys",
      fix:
        `Make the file readable by the gateway's user, or re-link: ${talonCommand()} channels logout whatsapp --account ${id} ` +
        `and ${talonCommand()} channels login whatsapp`,
    }];
  }
  const results: DoctorResult[] = [];
  const number = toE164(creds.me?.id ?? "");
  results.push(
    number ? { id: check, status: "ok", what: `whatsapp account ${id} is linked as ${number}` } : {
      id: check,
      status: "warn",
      what: `whatsapp account ${id} has credentials but was never linked (or linking did not finish)`,
      why: "The account receives and sends nothing until a phone scans its QR",
      fix: `Run: ${talonCommand()} channels login whatsapp --account ${id}`,
    },
  );
  results.push(await privateModes(ctx, id, dir));
  return results;
}

/** The credential dir must be 0700 and its files 0600: they are the device's Signal keys. */
async function privateModes(ctx: CheckContext, id: string, dir: string): Promise<DoctorResult> {
  const loose: string[] = [];
  const dirMode = await fileMode(dir);
  if (dirMode !== undefined && dirMode !== 0o700) loose.push(`${dir} ${octal(dirMode)}`);
  for await (const f of Deno.readDir(dir)) {
    const mode = await fileMode(`${dir}/${f.name}`);
    if (f.isFile && mode !== undefined && (mode & 0o077) !== 0) loose.push(`${f.name} ${octal(mode)}`);
  }
  if (!loose.length) {
    return { id: `perm:whatsapp:${id}`, status: "ok", what: `whatsapp ${id} credentials are private` };
  }
  if (ctx.fix) {
    await Deno.chmod(dir, 0o700);
    for await (const f of Deno.readDir(dir)) if (f.isFile) await Deno.chmod(`${dir}/${f.name}`, 0o600);
  }
  return {
    id: `perm:whatsapp:${id}`,
    status: "warn",
    what: `whatsapp ${id} credentials are readable by others: ${loose.slice(0, 3).join(", ")}`,
    why: "They are the linked device's keys: whoever reads them can read and send messages as that number",
    fix: `chmod 700 ${dir} && chmod 600 ${dir}/* (or ${talonCommand()} doctor --fix)`,
    ...(ctx.fix ? { fixed: true } : {}),
  };
}

async function checkCloud(
  ctx: CheckContext,
  id: string,
  acc: WhatsAppAccountConfig,
): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  const bind = ctx.loaded!.config.gateway.bind;
  const loopback = bind === "127.0.0.1" || bind === "::1" || bind === "localhost";
  results.push(
    loopback
      ? {
        id: `webhook:whatsapp:${id}`,
        status: "warn",
        what: `whatsapp ${id} (cloud): the webhook /whatsapp/${id} is only on ${bind}`,
        why:
          "Meta delivers messages over the internet to an HTTPS URL; a loopback-only gateway never gets them",
        fix: `Put an HTTPS reverse proxy (or tunnel) in front and set the Callback URL in the Meta app to ` +
          `https://<your-host>/whatsapp/${id} with your verifyToken`,
      }
      : {
        id: `webhook:whatsapp:${id}`,
        status: "ok",
        what: `whatsapp ${id} (cloud): webhook /whatsapp/${id}`,
      },
  );
  if (!ctx.online) return results;
  const root = acc.graphApiRoot.replace(/\/+$/, "");
  try {
    const res = await ctx.fetch(`${root}/${acc.phoneNumberId}?fields=display_phone_number`, {
      headers: { authorization: `Bearer ${acc.accessToken}` },
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.json().catch(() => ({})) as {
      display_phone_number?: string;
      error?: { message?: string };
    };
    results.push(
      res.ok
        ? {
          id: `channel:whatsapp:${id}`,
          status: "ok",
          what: `whatsapp ${id} (cloud): Graph API accepts the token for ${
            body.display_phone_number ?? acc.phoneNumberId
          }`,
        }
        : {
          id: `channel:whatsapp:${id}`,
          status: "fail",
          what: `whatsapp ${id} (cloud): Graph API refused: ${body.error?.message ?? `HTTP ${res.status}`}`,
          why: "Replies cannot be sent",
          fix: "Check accessToken (a permanent system-user token) and phoneNumberId in the Meta app",
        },
    );
  } catch (err) {
    results.push({
      id: `channel:whatsapp:${id}`,
      status: "warn",
      what: `whatsapp ${id} (cloud): Graph API unreachable: ${(err as Error).message}`,
      why: "Replies cannot be sent while it is unreachable",
      fix: `Check the network and graphApiRoot (${root})`,
    });
  }
  return results;
}
