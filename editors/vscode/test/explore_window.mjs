// The window the explorations (explore.mjs, explore_editing.mjs) drive: Debian's chromium on
// code-server's workspace, the fake's API key entered through "DeepSeek: Set API Key".

import { chromium } from 'playwright-core';

const { CS_URL, WORKSPACE, FAKE_URL, E2E_API_KEY } = process.env;

/** `fn`'s first truthy answer, asked every `every` ms for `timeout` ms (an error thrown is a no). */
export async function until(what, fn, timeout = 15000, every = 150) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn().catch((e) => e);
    if (last && !(last instanceof Error)) return last;
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  throw new Error(`no ${what} after ${timeout / 1000} s${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** The row showing `rowText` once `query` is typed into the quick input `key` opens (tried 5 times). */
export async function paletteRow(page, key, query, rowText) {
  for (let i = 0; i < 5; i++) {
    try {
      await page.keyboard.press(key);
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 4000 });
      await input.fill(query);
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first();
      await row.waitFor({ state: 'visible', timeout: 6000 });
      return row;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`no "${rowText}" for ${key} ${query}`);
}

/** Debian's chromium, headless, resolving no host but 127.0.0.1. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
}

/** The workspace's window in a new page, any request not to 127.0.0.1 aborted. */
export async function openWindow(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  const page = await context.newPage();
  await page.goto(`${CS_URL}/?folder=${encodeURIComponent(WORKSPACE)}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
  return page;
}

/**
 * The fake's key entered; back once the server restarted with it (its GET /models carried the
 * key) and runs: keys typed while the old server still showed "$" went to no server, and the
 * first scenario waited 20 s for a suggestion never asked for.
 */
export async function enterKey(page, statusItem) {
  await until('the DeepSeek item', statusItem, 30000);
  await (await paletteRow(page, 'F1', '>DeepSeek: Set API Key', 'DeepSeek: Set API Key')).click();
  const key = page.locator('.quick-input-widget input[type="password"]');
  await key.waitFor({ state: 'visible' });
  await key.fill(E2E_API_KEY);
  await page.keyboard.press('Enter');
  await until('the server started with the key', async () =>
    (await (await fetch(`${FAKE_URL}/_fake/requests`)).json()).some((r) => r.path === '/models' && r.authorized), 30000);
  await until('the server running', async () => /\$/.test(await statusItem()) && !(await statusItem()).includes('starting'), 30000);
  await page.keyboard.press('Escape');
}
