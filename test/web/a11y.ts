/**
 * A small axe-style accessibility checker run inside the page (puppeteer `evaluate`). It reports the
 * "serious" rules the Control UI must pass on every page, in both colour schemes:
 * - `label`: every visible form control has an accessible name (label, aria-label, aria-labelledby, title);
 * - `name`: every button and link has an accessible name;
 * - `contrast`: text contrast ≥ 4.5:1 (3:1 for large text) against its effective background (WCAG 1.4.3);
 * - `field-border`: input/select/textarea borders ≥ 3:1 against the background (WCAG 1.4.11);
 * - `duplicate-id`, `html-lang`, `img-alt`.
 * Disabled controls are exempt from contrast, as WCAG exempts inactive components.
 */
import type { Page } from "puppeteer-core";

export interface Violation {
  rule: string;
  target: string;
  detail: string;
}

/** The checker's source, evaluated in the page; returns Violation[]. */
const CHECK = String.raw`(() => {
  const out = [];
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" && Number(s.opacity) > 0.01;
  };
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const blend = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
  const background = (el) => {
    const stack = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) stack.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    if (stack.length && stack[stack.length - 1][3] >= 1) bg = stack.pop();
    else if (matchMedia("(prefers-color-scheme: dark)").matches) bg = [0, 0, 0, 1];
    while (stack.length) bg = blend(stack.pop(), bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const nameOf = (el) => {
    const aria = el.getAttribute("aria-label");
    if (aria && aria.trim()) return aria.trim();
    const by = el.getAttribute("aria-labelledby");
    if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" ").trim();
    if (el.id) {
      const l = document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
      if (l && l.textContent.trim()) return l.textContent.trim();
    }
    const wrap = el.closest("label");
    if (wrap && wrap.textContent.trim()) return wrap.textContent.trim();
    if (el.getAttribute("title")) return el.getAttribute("title");
    if (el.tagName === "BUTTON" || el.tagName === "A" || el.tagName === "SUMMARY") return el.textContent.trim();
    return "";
  };
  if (!document.documentElement.getAttribute("lang")) out.push({ rule: "html-lang", target: "html", detail: "no lang" });
  const ids = new Map();
  for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
  for (const [id, n] of ids) if (n > 1) out.push({ rule: "duplicate-id", target: "#" + id, detail: n + " elements" });
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) out.push({ rule: "img-alt", target: describe(img), detail: "no alt" });
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const shown = visible(el) || (el.type === "file" && el.closest("label") && visible(el.closest("label")));
    if (!shown) continue;
    if (!nameOf(el)) out.push({ rule: "label", target: describe(el), detail: "form control without a name" });
    if (el.type !== "file" && el.type !== "checkbox" && el.type !== "radio" && visible(el)) {
      const s = getComputedStyle(el);
      const border = parse(s.borderTopColor);
      if (parseFloat(s.borderTopWidth) > 0 && border[3] > 0) {
        const r = ratio(blend(border, background(el.parentElement)), background(el.parentElement));
        if (r < 3) out.push({ rule: "field-border", target: describe(el), detail: "border " + r.toFixed(2) + ":1" });
      }
    }
  }
  for (const el of document.querySelectorAll("button, a[href], summary")) {
    if (!visible(el)) continue;
    if (!nameOf(el)) out.push({ rule: "name", target: describe(el), detail: "no accessible name" });
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    seen.add(el);
    if (!visible(el) || el.closest("[disabled], :disabled, .sr-only, option, noscript")) continue;
    const s = getComputedStyle(el);
    const bg = background(el);
    let fg = parse(s.color);
    let op = 1;
    for (let e = el; e; e = e.parentElement) op *= Number(getComputedStyle(e).opacity);
    fg = blend([fg[0], fg[1], fg[2], fg[3] * op], bg);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const r = ratio(fg, bg);
    if (r < (large ? 3 : 4.5)) {
      out.push({ rule: "contrast", target: describe(el), detail: r.toFixed(2) + ":1 for " + JSON.stringify(n.textContent.trim().slice(0, 30)) });
    }
  }
  return out;
})()`;

/** Runs the checker on the page as it is now. */
export async function checkA11y(page: Page): Promise<Violation[]> {
  return await page.evaluate(CHECK) as Violation[];
}
