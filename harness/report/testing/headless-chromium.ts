import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; the harness never downloads a browser of its own. */
export const chromiumPath = '/usr/bin/chromium';

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedPage {
  page: Page;
  /** Every URL the page asked for besides its own file; each was refused. */
  requestsElsewhere: string[];
  /** Script errors and console errors (a blocked request shows up here too). */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Opens a file in headless Chromium with a fresh profile, refusing (and recording) every request
 * but the file itself, so a test can assert the page works from disk with no network.
 */
export async function openInChromium(file: string): Promise<OpenedPage> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `headless Chromium not found at ${chromiumPath}: install Debian's package (apt-get install chromium)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'sovh-chromium-'));
  const url = pathToFileURL(file).href;
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      // The fresh profile is the persistent context's folder (playwright passes --user-data-dir).
      args: chromiumFlags,
      viewport: { width: 1300, height: 900 },
    });
    const requestsElsewhere: string[] = [];
    const pageErrors: string[] = [];
    await context.route('**/*', async (route) => {
      const requested = route.request().url();
      if (requested === url) {
        await route.continue();
      } else {
        requestsElsewhere.push(requested);
        await route.abort();
      }
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(url);
    const opened = context;
    return {
      page,
      requestsElsewhere,
      pageErrors,
      close: async () => {
        await opened.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
