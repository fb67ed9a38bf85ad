/**
 * The browser tests' chromium (Debian's, driven by playwright-core): where it is, the skip reason
 * when it is not, and a page whose console errors, warnings, uncaught errors and CSP violations
 * are collected for the test to assert none happened.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** A test's `skip` option: false where chromium is installed. */
export const noChromium = chromiumPath ? false : 'no chromium found (apt-get install chromium): the browser test cannot run';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
}

/** Collects into `problems` what the page reports going wrong, from before its first script runs. */
export async function watchProblems(page: Page, problems: string[]): Promise<void> {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
  );
}
