/**
 * Opens a report in headless Debian Chromium through playwright-core and collects what a
 * person would notice: console errors, page errors, failed requests, and the rendered charts.
 */
import { chromium, type Browser } from "playwright-core";
import { pathToFileURL } from "node:url";
import { hasTool, requireTool } from "./system.js";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

export function chromiumAvailable(): boolean {
  return requireTool("chromium", hasTool(CHROMIUM));
}

export interface PageCheck {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  svgCount: number;
  /** Width x height of each rendered SVG, so tests can assert plots are actually drawn. */
  svgSizes: Array<{ width: number; height: number }>;
  title: string;
  bodyText: string;
  /** Set by any script that runs, so a test can prove injected corpus text stayed inert. */
  scriptRan: boolean;
  screenshot?: Buffer;
}

export async function checkReport(file: string, opts: { screenshot?: boolean } = {}): Promise<PageCheck> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const svgSizes = await page.$$eval("svg", (els) =>
      els.map((e) => {
        const b = e.getBoundingClientRect();
        return { width: b.width, height: b.height };
      }),
    );
    const scriptRan = await page.evaluate(() => Boolean((globalThis as { __injected?: unknown }).__injected));
    return {
      consoleErrors,
      pageErrors,
      requests,
      svgCount: svgSizes.length,
      svgSizes,
      title: await page.title(),
      bodyText: await page.innerText("body"),
      scriptRan,
      screenshot: opts.screenshot ? await page.screenshot({ fullPage: true }) : undefined,
    };
  } finally {
    await browser.close();
  }
}
