// deno-lint-ignore-file no-explicit-any
/**
 * Control UI chat image upload in Chromium against the real gateway: the keyboard-reachable attach button
 * takes an image, the message goes out with it as a chat.send attachment, and the fake vision model
 * receives it as an image_url. A large photo is downscaled in the browser to a JPEG that fits the frame.
 * The page stays clean for the accessibility checker with an image attached.
 */
import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { checkA11y } from "./a11y.ts";
import { chromium, go, withUi } from "./ui_harness.ts";

const PNG_B64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

Deno.test({
  name: "control UI chat: attach an image with the keyboard-reachable button; the vision model receives it",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const fake = createFakeOpenAI({ fallback: { text: "I see it." } });
    const dir = await Deno.makeTempDir({ prefix: "talon-ui-img-" });
    try {
      await Deno.writeFile(`${dir}/dot.png`, Uint8Array.from(atob(PNG_B64), (c) => c.charCodeAt(0)));
      // A 1800×1200 noise JPEG (~2 MB): over the browser's per-image budget, so it is downscaled.
      const noise = new Uint8Array(1800 * 1200 * 4).map((_, i) => (i * 2654435761) >>> 24);
      await Deno.writeFile(
        `${dir}/photo.jpg`,
        jpeg.encode({ width: 1800, height: 1200, data: noise }, 90).data,
      );
      await withUi({
        providers: { p: { api: "openai-chat", baseUrl: fake.url, apiKey: "k" } },
        models: { "p/vision": { input: ["text", "image"] } },
        agents: { defaults: { model: { primary: "p/vision" } } },
      }, async ({ page, consoleErrors }) => {
        await go(page, "/chat");
        await page.waitForSelector("#chat-input:not([disabled])");

        const sendWith = async (file: string, text: string) => {
          await page.focus("#chat-attach");
          assert.equal(
            await page.evaluate(`document.activeElement?.id`),
            "chat-attach",
            "reachable by keyboard",
          );
          const input = await page.$("#chat-attach");
          await (input as any).uploadFile(`${dir}/${file}`);
          await page.waitForSelector(".composer .chip img", { timeout: 20_000 });
          await page.evaluate(`(() => {
            const ta = document.querySelector("#chat-input");
            ta.value = ${JSON.stringify(text)};
            ta.dispatchEvent(new Event("input", { bubbles: true }));
          })()`);
          const before = fake.requests.length;
          await page.focus("#chat-input");
          await page.keyboard.press("Enter");
          const deadline = Date.now() + 30_000;
          while (fake.requests.length === before) {
            if (Date.now() > deadline) throw new Error("the model got no request after sending");
            await new Promise((r) => setTimeout(r, 50));
          }
          return (fake.requests.at(-1)!.body as any).messages.at(-1);
        };

        await t.step("a small PNG goes as it is", async () => {
          await go(page, "/chat");
          await page.waitForSelector("#chat-attach");
          assert.equal(
            await page.$eval("#chat-attach", (e) => e.getAttribute("aria-label")),
            "Attach images or text files",
          );
          const user = await sendWith("dot.png", "what is this?");
          assert.match(
            user.content[0].text,
            /^what is this\?\n\n\[Image: .*\/media\/webchat\/.*\.png \(image\/png/,
          );
          assert.deepEqual(user.content[1], {
            type: "image_url",
            image_url: { url: `data:image/png;base64,${PNG_B64}` },
          });
        });

        await t.step("a large photo is downscaled in the browser to a JPEG within the budget", async () => {
          const user = await sendWith("photo.jpg", "and this?");
          const url: string = user.content[1].image_url.url;
          assert.match(url, /^data:image\/jpeg;base64,/);
          const bytes = atob(url.split(",")[1]!).length;
          assert.ok(bytes <= 350_000, `${bytes} bytes`);
        });

        await t.step("no accessibility violations with an image attached", async () => {
          const input = await page.$("#chat-attach");
          await (input as any).uploadFile(`${dir}/dot.png`);
          await page.waitForSelector(".composer .chip img");
          const found = (await checkA11y(page)).map((v) => `${v.rule} ${v.target} ${v.detail}`);
          assert.deepEqual(found, []);
          assert.deepEqual(consoleErrors, []);
        });
      });
    } finally {
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
