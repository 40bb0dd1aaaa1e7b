// Exploration of flows around the first suggestion and the review that e2e.mjs does not cover,
// in a real VS Code (code-server): the first suggestion after the window is reloaded (the key
// already stored), a review of a CRLF file and of a line with non-ASCII text before the code
// (the squiggle's box against the flagged characters' box, the fix's bytes on disk), a fix
// applied after an emoji line was typed above it, and a file renamed in the explorer while its
// review runs. Run through run.sh:
//   E2E_SCRIPT=explore_review.mjs FAKE_RESPONDER=explore_review_answers:answer E2E_INSTALL=copy \
//     bash test/run.sh
// (EXPLORE_ONLY=a,b: these scenarios.) Prints SAME or DIFF per scenario; exits 1 on a DIFF.
import fs from 'node:fs';
import path from 'node:path';
import { enterKey, launchBrowser, openWindow, paletteRow, until } from './explore_window.mjs';
import { quickFixRow } from './quickfix.mjs';

const { WORKSPACE, FAKE_URL, ARTIFACTS_DIR } = process.env;
const ONLY = (process.env.EXPLORE_ONLY ?? '').split(',').filter(Boolean);
const nb = (s) => (s ?? '').replace(/\u00a0/g, ' ');
let page;
const log = (...a) => console.log(...a);
let failures = 0;
const verdict = (ok, name, detail) => { if (!ok) failures += 1; log(`${ok ? 'SAME' : 'DIFF'} ${name}: ${detail}`); };

async function statusItem() {
  const items = await page.$$eval('.statusbar-item', (els) => els.map((el) => (el.getAttribute('aria-label') || '') + ' | ' + (el.textContent || '')));
  return nb(items.find((t) => t.startsWith('DeepSeek')) ?? '');
}
const fileBytes = (f) => fs.readFileSync(path.join(WORKSPACE, f), 'utf8');
async function ghost() {
  return nb((await page.$$eval('.editor-instance .ghost-text-decoration', (els) => els.map((e) => e.textContent ?? ''))).join(''));
}
async function open(file) {
  await (await paletteRow(page, 'Control+P', file, file)).click();
  await until(`${file} open`, async () => (await page.$eval('.tab.active', (e) => e.textContent)).includes(file));
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
}
async function fakeFault(fault) {
  await fetch(`${FAKE_URL}/_fake/fault`, { method: 'POST', body: JSON.stringify(fault) });
}
async function savedAfterEdit() {
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' ');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Control+S');
}

/**
 * The squiggles' boxes, and the box of `code` in the first rendered line holding `lineHas`
 * (a DOM Range over the line's text nodes), to tell whether the range is the code's.
 */
async function squiggleVsCode(lineHas, code) {
  return page.evaluate(([lineHas, code]) => {
    const lines = [...document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line')];
    const line = lines.find((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').includes(lineHas));
    if (!line) return { error: `no line with ${lineHas}` };
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let text = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, text.length]); text += n.data; }
    text = text.replace(/\u00a0/g, ' ');
    const at = text.indexOf(code);
    if (at < 0) return { error: `no ${code} in ${text}` };
    const locate = (i) => { for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k][1] <= i) return [nodes[k][0], i - nodes[k][1]]; };
    const range = document.createRange();
    range.setStart(...locate(at));
    range.setEnd(...locate(at + code.length));
    const r = range.getBoundingClientRect();
    const lt = line.getBoundingClientRect();
    const sq = [...document.querySelectorAll('.editor-instance .monaco-editor .squiggly-warning')].map((e) => e.getBoundingClientRect())
      .filter((b) => b.top >= lt.top - 2 && b.top < lt.bottom)
      .map((b) => ({ left: Math.round(b.left), right: Math.round(b.right) }));
    return { code: { left: Math.round(r.left), right: Math.round(r.right) }, squiggles: sq, line: text };
  }, [lineHas, code]);
}

function rangeVerdict(name, got) {
  if (got.error) return verdict(false, name, got.error);
  const s = got.squiggles[0];
  const ok = got.squiggles.length === 1 && Math.abs(s.left - got.code.left) <= 2 && Math.abs(s.right - got.code.right) <= 2;
  verdict(ok, name, `code at x ${got.code.left}-${got.code.right}, squiggle(s) ${JSON.stringify(got.squiggles)} on ${JSON.stringify(got.line.trim())}`);
}

async function applyFix(file, before) {
  const item = await quickFixRow(page);
  await item.click();
  await page.waitForTimeout(800);
  await page.keyboard.press('Control+S');
  return until(`${file} saved with the fix`, async () => { const t = fileBytes(file); return t !== before ? t : ''; }, 10000).catch(() => fileBytes(file));
}

/** The first suggestion after a reload: the key is stored, the server starts with the window. */
async function firstSuggestion() {
  const file = 'first.py';
  fs.writeFileSync(path.join(WORKSPACE, file), 'def add(a, b):\n');
  const t0 = Date.now();
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
  const tWorkbench = Date.now() - t0;
  await open(file);
  // Clicked into: after a reload the focus was not in the editor, the keys went nowhere.
  await page.locator('.editor-instance .view-line', { hasText: 'def add' }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const tOpen = Date.now() - t0;
  await page.keyboard.type('ret', { delay: 60 });
  const tTyped = Date.now();
  const typedText = nb(await page.$$eval('.editor-instance .view-line', (els) => els.map((e) => e.textContent ?? '').join('|')));
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'explore-first-typed.png') });
  const g = await until('ghost text', ghost, 30000).catch(() => '');
  const tGhost = Date.now();
  log(`  first-suggestion: the editor after the keys ${JSON.stringify(typedText)}, item then "${await statusItem()}"`);
  verdict(g.includes('a + b'), 'first-suggestion', `workbench ${tWorkbench} ms, file open ${tOpen} ms, ghost ${JSON.stringify(g)} ${tGhost - tTyped} ms after the last key (${tGhost - t0} ms after the reload); item "${await statusItem()}"`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Z');
  await page.keyboard.press('Control+S');
}

/** A CRLF file's review: range, and a multi-line fix written with CRLF. */
async function crlf() {
  const file = 'crlf.py';
  const text = 'def share(part, whole):\r\n    ratio = part / whole\r\n    return round(ratio * 100, 1)\r\n';
  fs.writeFileSync(path.join(WORKSPACE, file), text);
  await open(file);
  await savedAfterEdit();
  await until('a squiggle', async () => (await page.$$('.editor-instance .squiggly-warning')).length || null, 45000);
  rangeVerdict('crlf-range', await squiggleVsCode('ratio = part', 'ratio = part / whole'));
  const got = await applyFix(file, text);
  const want = 'def share(part, whole):\r\n    if not whole:\r\n        return 0.0\r\n    ratio = part / whole\r\n    return round(ratio * 100, 1)\r\n';
  verdict(got === want, 'crlf-fix', `on disk ${JSON.stringify(got)}`);
  await page.keyboard.press('Control+W').catch(() => undefined);
}

/** Non-ASCII text before the flagged code on its line; then a fix after an emoji line typed above. */
async function nonAscii() {
  const file = 'unicode.py';
  const text = 'def moyenne(total, count):\n    étiquette = "Σ 💶 — moyenne"\n    return étiquette + " 🛒 " + str(total / count)\n\n\ndef lire(texte):\n    return "№ " + str(int(texte))\n';
  fs.writeFileSync(path.join(WORKSPACE, file), text);
  await open(file);
  await savedAfterEdit();
  await until('two squiggles', async () => (await page.$$('.editor-instance .squiggly-warning')).length >= 2 || null, 45000);
  rangeVerdict('unicode-range', await squiggleVsCode('str(total', 'total / count'));
  rangeVerdict('unicode-range-2', await squiggleVsCode('int(texte', 'int(texte)'));
  // An emoji line typed above the first finding, then its fix.
  await page.locator('.editor-instance .view-line', { hasText: 'étiquette = ' }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('# 🧾 ticket ✓', { delay: 30 });
  await page.waitForTimeout(800);
  rangeVerdict('unicode-range-after-typing', await squiggleVsCode('str(total', 'total / count'));
  // F8 goes to the next finding after the cursor: from the line above, the one on str(total.
  await page.locator('.editor-instance .view-line', { hasText: 'ticket' }).first().click();
  const got = await applyFix(file, text);
  const want = text.replace('"Σ 💶 — moyenne"\n', '"Σ 💶 — moyenne"\n    # 🧾 ticket ✓\n').replace('str(total / count)', 'str((total / count if count else 0))');
  verdict(got === want, 'unicode-fix-after-typing', got === want ? 'ok' : `on disk ${JSON.stringify(got)}`);
  await page.keyboard.press('Control+W').catch(() => undefined);
}

/** The file renamed in the explorer while its review is under way (the model slow). */
async function renamedDuringReview() {
  const file = 'before_rename.py';
  const renamed = 'after_rename.py';
  fs.writeFileSync(path.join(WORKSPACE, file), 'def share(part, whole):\n    ratio = part / whole\n    return ratio\n');
  await open(file);
  await fakeFault({ kind: 'stall', seconds: 6, path: '/chat/completions', count: 1 });
  await savedAfterEdit();
  await page.waitForTimeout(1000);
  // Explorer: the file's row selected, F2, the new name.
  await page.keyboard.press('Control+Shift+E');
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await row.click();
  await page.keyboard.press('F2');
  const input = page.locator('.explorer-folders-view .monaco-inputbox input');
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(renamed);
  await page.keyboard.press('Enter');
  await until('the file renamed', async () => fs.existsSync(path.join(WORKSPACE, renamed)), 10000);
  await page.waitForTimeout(8000);
  const tab = await page.$eval('.tab.active', (e) => e.textContent ?? '');
  const squiggles = (await page.$$('.editor-instance .squiggly-warning')).length;
  await page.keyboard.press('Control+Shift+M');
  await page.waitForTimeout(1500);
  const problems = nb((await page.$$eval('.markers-panel .monaco-list-row', (els) => els.map((e) => e.textContent ?? ''))).join(' | '));
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'explore-review-renamed.png') });
  const stale = problems.includes(file);
  verdict(squiggles > 0 && !stale, 'renamed-during-review', `tab ${JSON.stringify(tab)}, ${squiggles} squiggle(s); Problems: ${JSON.stringify(problems.slice(0, 400))}`);
  await page.keyboard.press('Control+Shift+M');
  await page.keyboard.press('Control+W').catch(() => undefined);
}

/** A wrong value written into settings.json while the server runs: one message naming it, the
 * default used (suggestions still come). */
async function badSetting() {
  const file = path.join(process.env.USER_DATA_DIR, 'User', 'settings.json');
  const now = JSON.parse(fs.readFileSync(file, 'utf8'));
  const bad = { ...now, 'deepseek.review.minSeverity': 'severe', 'deepseek.completion.debounceMaxMs': 'slow' };
  await (await paletteRow(page, 'F1', '>Preferences: Open User Settings (JSON)', 'Open User Settings (JSON)')).click();
  await until('settings.json focused', () => page.evaluate(() =>
    (document.activeElement?.closest('[data-uri]')?.getAttribute('data-uri') ?? '').endsWith('/settings.json')), 10000);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(bad));
  await page.keyboard.press('Control+S');
  await page.waitForTimeout(4000);
  const toasts = nb((await page.$$eval('.notifications-toasts .notification-toast', (els) => els.map((e) => e.innerText ?? ''))).join(' | '));
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'explore-bad-setting.png') });
  await page.keyboard.press('Escape');
  const f = 'bad_setting.py';
  fs.writeFileSync(path.join(WORKSPACE, f), 'def add(a, b):\n');
  await open(f);
  await page.locator('.editor-instance .view-line', { hasText: 'def add' }).first().click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('ret', { delay: 60 });
  const g = await until('ghost text', ghost, 15000).catch(() => '');
  const ok = toasts.includes('minSeverity') && toasts.includes('debounceMaxMs') && g.includes('a + b');
  verdict(ok, 'bad-setting', `pop-ups ${JSON.stringify(toasts.slice(0, 500))}; ghost ${JSON.stringify(g)}; item "${await statusItem()}"`);
  await page.keyboard.press('Escape');
  fs.writeFileSync(file, JSON.stringify(now, null, 1));
  await page.keyboard.press('Control+W').catch(() => undefined);
}

const SCENARIOS = { 'first-suggestion': firstSuggestion, crlf, unicode: nonAscii, rename: renamedDuringReview, 'bad-setting': badSetting };
const browser = await launchBrowser();
try {
  page = await openWindow(browser);
  await enterKey(page, statusItem);
  for (const [name, fn] of Object.entries(SCENARIOS).filter(([n]) => !ONLY.length || ONLY.includes(n))) {
    try {
      await fn();
    } catch (err) {
      failures += 1;
      log(`FAIL ${name}: ${String(err.message).split('\n')[0]}`);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `explore-${name}.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape');
    }
  }
  log(`status bar: ${await statusItem()}`);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
