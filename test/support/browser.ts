import { existsSync } from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Debian's chromium (scripts/install-browser.sh); ALACRITY_CHROMIUM names another. */
export const CHROMIUM = process.env.ALACRITY_CHROMIUM ?? "/usr/bin/chromium";

/**
 * A headless chromium of the machine's own (nothing is downloaded). Missing, it fails the test
 * with what to run, rather than skipping it.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: run scripts/install-browser.sh (or set ALACRITY_CHROMIUM)`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox; /dev/shm may be small.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/** What the page reported that a test must see: CSP violations and script errors. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  return problems;
}
