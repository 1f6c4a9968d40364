import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; the harness never downloads a browser of its own. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Chromium on its own asks Google's services for sign-in, updates, field trials and safe browsing
 * (accounts.google.com and update.googleapis.com were seen on the machine's outer interface). The
 * report is one file from disk: every name resolves to nothing and every background service is off,
 * so the browser makes no request of its own.
 */
const chromiumFlags = [
  '--headless',
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--proxy-server=127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-field-trial-config',
  '--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
  '--no-pings',
  '--no-service-autorun',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
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
