// Exploration of the extension as a demanding user types real code in a real VS Code
// (code-server): Rust, Java, Go, TypeScript, C# and Python files from test/explore/, each with a part
// removed, the first characters of that part typed, the suggestion of the fake (which answers
// what the original holds next: explore_answers.py) accepted whole (Tab), by word (Ctrl+Right)
// or by line, then the file saved and compared with the original; one Ctrl+Z must give back
// the text before the accept (as many as the parts taken by word or line). Then each file's
// review on save and its quick fix, the status bar's tooltip, completions turned off and on
// from the item's menu, and the usage view. Run through run.sh:
//   EXPLORE_MODE_FILE=/tmp/mode E2E_SCRIPT=explore.mjs FAKE_RESPONDER=explore_answers:answer \
//     E2E_INSTALL=copy bash test/run.sh
// (EXPLORE_MODE_FILE: where a scenario tells the fake its mode; EXPLORE_ONLY=a,b: these
// scenarios, `review-FILE` and `toggle` alone; EXPLORE_TRACE=1: the line and the ghost text
// at each key.) Prints one line per scenario (SAME or DIFF
// with the first differing line); exits 1 on a DIFF. Differences that are VS Code's or this
// script's own were seen: a line typed under a blank line has no indentation, a "{" typed
// while a suggestion shows it is not closed by the editor.

import fs from 'node:fs';
import path from 'node:path';
import { enterKey, launchBrowser, openWindow, paletteRow, until } from './explore_window.mjs';
import { quickFixRow } from './quickfix.mjs';

const { WORKSPACE, FAKE_URL, ARTIFACTS_DIR, USER_DATA_DIR, EXPLORE_MODE_FILE } = process.env;
const ORIGINALS = new URL('./explore/', import.meta.url);
const ONLY = (process.env.EXPLORE_ONLY ?? '').split(',').filter(Boolean);
const nb = (s) => (s ?? '').replace(/\u00a0/g, ' ');

// Accept-next-line has no default key in VS Code: bound here as a user would.
fs.writeFileSync(path.join(USER_DATA_DIR, 'User', 'keybindings.json'), JSON.stringify([
  { key: 'ctrl+alt+l', command: 'editor.action.inlineSuggest.acceptNextLine', when: 'inlineSuggestionVisible' },
]));
// Small lines: a whole file is on the screen, so the rendered lines are the document.
const settingsFile = path.join(USER_DATA_DIR, 'User', 'settings.json');
const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'editor.fontSize': 9, 'editor.lineHeight': 11 }, null, 1));

/**
 * The scenarios: `cut` the first line of the part removed (its text trimmed) and `lines` how many;
 * `typed` what the user types on a new line under the line before it (VS Code indents it);
 * `enter` whether Enter follows (inside the "{}" VS Code closed); `accept` tab | word | line.
 */
const SCENARIOS = [
  { name: 'rs-field-tab', file: 'inventory.rs', cut: 'name: name.to_string(),', lines: 3, typed: 'na', accept: 'tab' },
  { name: 'rs-init-tab', file: 'inventory.rs', cut: 'let item = Item {', lines: 5, typed: 'let item = Item {', enter: true, accept: 'tab' },
  { name: 'rs-init-word', file: 'inventory.rs', cut: 'let item = Item {', lines: 5, typed: 'let item = Item {', enter: true, accept: 'word' },
  { name: 'rs-init-line', file: 'inventory.rs', cut: 'let item = Item {', lines: 5, typed: 'let item = Item {', enter: true, accept: 'line' },
  { name: 'rs-stmt-word', file: 'inventory.rs', cut: 'let count = self.items.len() as u32;', lines: 1, typed: 'let c', accept: 'word' },
  { name: 'rs-fn-line', file: 'inventory.rs', cut: 'pub fn total(&self) -> u32 {', lines: 3, typed: 'pub fn total(&self) -> u32 {', enter: true, accept: 'line' },
  { name: 'rs-fn-overshoot', file: 'inventory.rs', cut: 'pub fn total(&self) -> u32 {', lines: 3, typed: 'pub fn total(&self) -> u32 {', enter: true, accept: 'tab', mode: 'overshoot' },
  { name: 'java-anon-tab', file: 'Shop.java', cut: 'Runnable task = new Runnable() {', lines: 6, typed: 'Runnable task = new Runnable() {', enter: true, accept: 'tab' },
  { name: 'java-anon-word', file: 'Shop.java', cut: 'Runnable task = new Runnable() {', lines: 6, typed: 'Runnable task = new Runnable() {', enter: true, accept: 'word' },
  { name: 'java-for-line', file: 'Shop.java', cut: 'for (Order order : orders) {', lines: 3, typed: 'for (Order order : orders) {', enter: true, accept: 'line' },
  { name: 'java-stmt-word', file: 'Shop.java', cut: 'Order order = new Order(customer, amount);', lines: 1, typed: 'Order o', accept: 'word' },
  { name: 'go-struct-tab', file: 'server.go', cut: 'cfg := Config{', lines: 4, typed: 'cfg := Config{', enter: true, accept: 'tab' },
  { name: 'go-if-line', file: 'server.go', cut: 'if name == "" {', lines: 3, typed: 'if name == "" {', enter: true, accept: 'line' },
  { name: 'go-stmt-word', file: 'server.go', cut: 'fmt.Fprintf(w, "hello, %s\\n", name)', lines: 1, typed: 'fmt.Fp', accept: 'word' },
  { name: 'ts-object-tab', file: 'cart.ts', cut: 'const line: Line = {', lines: 5, typed: 'const line: Line = {', enter: true, accept: 'tab' },
  { name: 'ts-object-line', file: 'cart.ts', cut: 'const line: Line = {', lines: 5, typed: 'const line: Line = {', enter: true, accept: 'line' },
  { name: 'ts-method-word', file: 'cart.ts', cut: 'total(): number {', lines: 3, typed: 'total(): number {', enter: true, accept: 'word' },
  { name: 'cs-init-tab', file: 'Ledger.cs', cut: '{', after: 'var entry = new Entry', lines: 4, typed: '{', enter: true, accept: 'tab' },
  { name: 'cs-init-line', file: 'Ledger.cs', cut: '{', after: 'var entry = new Entry', lines: 4, typed: '{', enter: true, accept: 'line' },
  { name: 'cs-foreach-word', file: 'Ledger.cs', cut: 'sum += e.Amount;', lines: 1, typed: 'sum', accept: 'word' },
  { name: 'cs-foreach-tab', file: 'Ledger.cs', cut: 'foreach (var e in entries)', lines: 4, typed: 'foreach (var e in entries)', accept: 'tab' },
  // Non-ASCII before the cursor on its line: VS Code counts UTF-16 units (an emoji is 2).
  { name: 'ts-emoji-tab', file: 'cart.ts', cut: 'const head = "🛒 " + this.label.toUpperCase();', lines: 1, typed: 'const head = "🛒 " + this.la', accept: 'tab' },
  { name: 'ts-emoji-word', file: 'cart.ts', cut: 'const head = "🛒 " + this.label.toUpperCase();', lines: 1, typed: 'const head = "🛒 " + this.la', accept: 'word' },
  { name: 'rs-emoji-tab', file: 'inventory.rs', cut: 'let s = format!("📦 Inventaire — {} articles", self.items.len());', lines: 1, typed: 'let s = format!("📦 Inventaire — {} articles", self.it', accept: 'tab' },
  { name: 'cs-emoji-word', file: 'Ledger.cs', cut: 'public string Title() => "Grand livre — 💶 " + entries.Count;', lines: 1, typed: 'public string Title() => "Grand livre — 💶 " + ent', accept: 'word' },
  // The model writes on past what the editor already has (its "}" again, the next line).
  { name: 'java-method-overshoot', file: 'Shop.java', cut: 'public int total() {', lines: 7, typed: 'public int total() {', enter: true, accept: 'tab', mode: 'overshoot' },
  { name: 'go-func-overshoot', file: 'server.go', cut: 'func handler(w http.ResponseWriter, r *http.Request) {', lines: 7, typed: 'func handler(w http.ResponseWriter, r *http.Request) {', enter: true, accept: 'tab', mode: 'overshoot' },
  { name: 'ts-method-overshoot', file: 'cart.ts', cut: 'total(): number {', lines: 3, typed: 'total(): number {', enter: true, accept: 'line', mode: 'overshoot' },
  { name: 'cs-method-overshoot', file: 'Ledger.cs', cut: '{', after: 'public decimal Balance()', lines: 7, typed: '{', enter: true, accept: 'tab', mode: 'overshoot' },
  { name: 'rs-init-overshoot', file: 'inventory.rs', cut: 'let item = Item {', lines: 5, typed: 'let item = Item {', enter: true, accept: 'tab', mode: 'overshoot' },
  { name: 'java-anon-overshoot', file: 'Shop.java', cut: 'Runnable task = new Runnable() {', lines: 6, typed: 'Runnable task = new Runnable() {', enter: true, accept: 'line', mode: 'overshoot' },
  { name: 'cs-init-overshoot', file: 'Ledger.cs', cut: '{', after: 'var entry = new Entry', lines: 4, typed: '{', enter: true, accept: 'word', mode: 'overshoot' },
  // Real files (fsspec's data-URL filesystem from the venv, textlint's unix formatter from
  // node_modules) typed with VS Code's autoclosing on: the cursor sits before the closers the
  // editor added ('")', '"}', '}`'), and the model writes them again at the line's end. Taken by
  // word, the suggestion's parts after those closers are taken too (Ctrl+Right moved the cursor
  // over '"' and dropped the ', 1' after it).
  { name: 'py-split-quote-tab', file: 'dataurl.py', cut: 'pref, data = path.split(",", 1)', lines: 1, typed: 'pref, data = path.split("', accept: 'tab' },
  { name: 'py-split-quote-word', file: 'dataurl.py', cut: 'pref, data = path.split(",", 1)', lines: 1, typed: 'pref, data = path.split("', accept: 'word' },
  { name: 'py-dict-quote-tab', file: 'dataurl.py', cut: 'return {"name": name, "size": len(data), "type": "file", "mimetype": mime}', lines: 1, typed: 'return {"', accept: 'tab' },
  { name: 'py-dict-quote-line', file: 'dataurl.py', cut: 'return {"name": name, "size": len(data), "type": "file", "mimetype": mime}', lines: 1, typed: 'return {"', accept: 'line' },
  { name: 'py-comprehension-word', file: 'dataurl.py', cut: 'return [cls._strip_protocol(p) for p in path]', lines: 1, typed: 'return [', accept: 'word' },
  { name: 'ts-template-tab', file: 'unix.ts', cut: 'output += `${message.line || 0}:`;', lines: 1, typed: 'output += `${', accept: 'tab' },
  { name: 'ts-template-word', file: 'unix.ts', cut: 'output += `${message.column || 0}:`;', lines: 1, typed: 'output += `${', accept: 'word' },
  { name: 'py-if-quote-word', file: 'dataurl.py', cut: 'if path.startswith("data://"):', lines: 1, typed: 'if path.startswith("', accept: 'word' },
  { name: 'py-if-quote-line', file: 'dataurl.py', cut: 'if path.startswith("data://"):', lines: 1, typed: 'if path.startswith("', accept: 'line' },
  { name: 'ts-return-quote-word', file: 'unix.ts', cut: 'return "Info";', lines: 1, typed: 'return "', accept: 'word' },
  { name: 'ts-if-line', file: 'unix.ts', cut: 'if (total > 0) {', lines: 3, typed: 'if (total > 0) {', enter: true, accept: 'line' },
];

let page;

/** The editor's lines as rendered, ghost text left out, and the ghost text apart. */
async function shown() {
  return page.$$eval('.editor-instance .monaco-editor .view-lines .view-line', (els) => {
    const rows = els.map((el) => {
      const bare = el.cloneNode(true);
      bare.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text').forEach((g) => g.remove());
      return { top: el.getBoundingClientRect().top, text: bare.textContent ?? '' };
    }).sort((a, b) => a.top - b.top);
    const ghosts = [...document.querySelectorAll('.editor-instance .ghost-text-decoration, .editor-instance .ghost-text-decoration-preview, .editor-instance .view-zones')]
      .map((g) => g.textContent ?? '').join('');
    return { text: rows.map((r) => r.text).join('\n'), ghost: ghosts };
  }).then(({ text, ghost }) => ({ text: nb(text), ghost: nb(ghost) }));
}

const palette = (key, query, rowText) => paletteRow(page, key, query, rowText);

async function statusItem() {
  const items = await page.$$eval('.statusbar-item', (els) => els.map((el) => (el.getAttribute('aria-label') || '') + ' | ' + (el.textContent || '')));
  return nb(items.find((t) => t.startsWith('DeepSeek')) ?? '');
}

async function saved(file, ok = () => true) {
  await page.keyboard.press('Control+S');
  return until(`${file} saved`, async () => {
    const t = fs.readFileSync(path.join(WORKSPACE, file), 'utf8');
    return ok(t) ? t : '';
  }, 10000).catch(() => fs.readFileSync(path.join(WORKSPACE, file), 'utf8'));
}

/** The closers VS Code's autoclosing adds after `typed` is typed at a line's end ('")' after
 * 'split("', '}`' after '`${'): the brackets and quotes it leaves open, innermost first. */
function autoclosed(typed) {
  const pairs = { '(': ')', '[': ']', '{': '}', '"': '"', "'": "'", '`': '`' };
  const open = [];
  for (const c of typed) {
    if (open.length && c === open[open.length - 1]) open.pop();
    else if (pairs[c]) open.push(pairs[c]);
  }
  return open.reverse().join('');
}

function firstDiff(got, want) {
  const g = got.split('\n');
  const w = want.split('\n');
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) {
      return `line ${i + 1}: got ${JSON.stringify(g.slice(i, i + 3))} want ${JSON.stringify(w.slice(i, i + 3))}`;
    }
  }
  return '';
}

async function run(s) {
  const original = fs.readFileSync(new URL(s.file, ORIGINALS), 'utf8');
  const lines = original.split('\n');
  const from = s.after ? lines.findIndex((l) => l.includes(s.after)) + 1 : lines.findIndex((l) => l.trim() === s.cut);
  if (from < 1 || lines[from].trim() !== s.cut) throw new Error(`no "${s.cut}" in ${s.file}`);
  const ext = path.extname(s.file);
  const file = `${s.name}${ext}`;
  const cutText = [...lines.slice(0, from), ...lines.slice(from + s.lines)].join('\n');
  fs.writeFileSync(path.join(WORKSPACE, file), cutText);
  fs.writeFileSync(EXPLORE_MODE_FILE, s.mode ?? '');
  const row = await palette('Control+P', file, file);
  await row.click();
  await until(`${file} open`, async () => (await page.$eval('.tab.active', (e) => e.textContent)).includes(file)
    && (await shown()).text.includes(lines[0]));
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(from));
  await page.keyboard.press('Enter');
  // The Enter typed while "Go to Line" still closed went there: the part typed on the line above.
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(s.typed, { delay: 40 });
  if (s.enter) await page.keyboard.press('Enter');
  const before = await until('ghost text', async () => {
    const v = await shown();
    return v.ghost.trim() ? v : null;
  }, 20000);
  await page.waitForTimeout(300);
  const keys = { tab: 'Tab', word: 'Control+ArrowRight', line: 'Control+Alt+L' }[s.accept];
  let presses = 0;
  for (; presses < 80; presses++) {
    const v = await shown();
    if (!v.ghost.trim()) break;
    if (process.env.EXPLORE_TRACE) {
      const line = v.text.split('\n').find((l) => l.includes(s.typed.trim().slice(0, 12))) ?? '';
      console.log(`  press ${presses}: line ${JSON.stringify(line.trim())} ghost ${JSON.stringify(v.ghost)}`);
    }
    await page.keyboard.press(keys);
    await page.waitForTimeout(s.accept === 'tab' ? 600 : 120);
  }
  await page.waitForTimeout(1200); // the server's workspace/applyEdit, if any
  await page.keyboard.press('Escape');
  const accepted = await saved(file, (t) => t !== cutText);
  const diff = firstDiff(accepted, original);
  // One Ctrl+Z after a single Tab: back to the text before the accept, the ";" gone with it
  // (whitespace aside: VS Code's auto-indent is its own).
  let undoDiff = '';
  if (s.accept !== 'tab' || presses === 1) {
    // A word or a line taken is an undo step of its own in VS Code: as many Ctrl+Z as parts.
    for (let i = 0; i < presses; i++) {
      await page.keyboard.press('Control+Z');
      await page.waitForTimeout(100);
    }
    const undone = await saved(file, (t) => t !== accepted);
    const typed = s.typed + autoclosed(s.typed);
    const want = [...lines.slice(0, from), typed, ...lines.slice(from + s.lines)].join('\n');
    const squash = (t) => t.replace(/\s+/g, '');
    if (squash(undone) !== squash(want)) {
      undoDiff = firstDiff(undone, want);
    }
  }
  const ok = !diff && !undoDiff;
  const out = `${ok ? 'SAME' : 'DIFF'} ${s.name} (${s.accept} x${presses}${s.mode ? `, ${s.mode}` : ''}): ghost ${JSON.stringify(before.ghost.slice(0, 80))}`
    + `${diff ? `\n     accepted: ${diff}` : ''}${undoDiff ? `\n     one Ctrl+Z: ${undoDiff}` : ''}`;
  console.log(out);
  await page.keyboard.press('Control+W').catch(() => undefined);
  return ok;
}

/** Save (review on save), the finding's quick fix applied, saved: compared with the original
 * with that line fixed; then one Ctrl+Z gives the original back. */
async function reviewAndFix(name, fixedLine) {
  const original = fs.readFileSync(new URL(name, ORIGINALS), 'utf8');
  const file = `review-${name}`;
  fs.writeFileSync(path.join(WORKSPACE, file), original);
  await (await palette('Control+P', file, file)).click();
  await until(`${file} open`, async () => (await page.$eval('.tab.active', (e) => e.textContent)).includes(file));
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' ');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Control+S');
  const squiggles = await until('a review squiggle', async () =>
    (await page.$$('.editor-instance .squiggly-warning')).length || null, 45000);
  const [flagged, fixed] = fixedLine;
  const want = original.replace(flagged, fixed);
  const item = await quickFixRow(page);
  await item.click();
  await page.waitForTimeout(500);
  const got = await saved(file, (t) => t !== original);
  await page.keyboard.press('Control+Z');
  const undone = await saved(file, (t) => t !== got);
  const diff = firstDiff(got, want);
  const undoDiff = firstDiff(undone, original);
  console.log(`${diff || undoDiff ? 'DIFF' : 'SAME'} review ${name} (${squiggles} squiggle(s))`
    + `${diff ? `\n     fixed: ${diff}` : ''}${undoDiff ? `\n     one Ctrl+Z: ${undoDiff}` : ''}`);
  await page.keyboard.press('Control+W').catch(() => undefined);
  return !diff && !undoDiff;
}

/** The status bar item's tooltip (hovered) once it says "N suggestions accepted". */
async function tooltip() {
  const item = page.locator('.statusbar-item', { hasText: 'DeepSeek' }).first();
  await page.mouse.move(10, 10);
  return until('the tooltip', async () => {
    await item.hover();
    const t = nb(await page.getByText('This session:').first().textContent({ timeout: 1000 }));
    return t.includes('accepted') ? t : '';
  }, 20000, 500);
}

const REVIEWS = [
  ['inventory.rs', ['        sum / count\n', '        if count == 0 { 0 } else { sum / count }\n']],
  ['Shop.java', ['return total() / orders.size();', 'return orders.isEmpty() ? 0 : total() / orders.size();']],
  ['server.go', ['addr := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)', 'addr := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))']],
  ['cart.ts', ['return this.total() / this.lines.length;', 'return this.lines.length ? this.total() / this.lines.length : 0;']],
  ['Ledger.cs', ['return Balance() / entries.Count;', 'return entries.Count == 0 ? 0 : Balance() / entries.Count;']],
  // A fix with "${", quotes and backticks (a snippet would read "${...}" as a placeholder).
  ['dataurl.py', ['mime = pref.split(":", 1)[1]', 'mime = pref.partition(":")[2]']],
  ['unix.ts', ['output += `${result.filePath}:`;', 'output += `${result.filePath ?? "<text>"}:`;']],
];

const browser = await launchBrowser();
let failures = 0;
try {
  page = await openWindow(browser);
  await enterKey(page, statusItem);
  let accepts = 0;
  for (const s of SCENARIOS.filter((x) => !ONLY.length || ONLY.includes(x.name))) {
    try {
      if (!(await run(s))) failures += 1;
      accepts += 1;
    } catch (err) {
      failures += 1;
      console.log(`FAIL ${s.name}: ${String(err.message).split('\n')[0]}`);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `explore-${s.name}.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+W').catch(() => undefined);
    }
  }
  console.log(`status bar: ${await statusItem()}`);
  console.log(`tooltip after ${accepts} scenarios: ${(await tooltip().catch((e) => e.message)).slice(0, 200)}`);
  for (const [name, fix] of REVIEWS.filter(([n]) => !ONLY.length || ONLY.includes(`review-${n}`))) {
    try {
      if (!(await reviewAndFix(name, fix))) failures += 1;
    } catch (err) {
      failures += 1;
      console.log(`FAIL review ${name}: ${String(err.message).split('\n')[0]}`);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `explore-review-${name}.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape');
    }
  }
  // A settings change: completions turned off from the item's menu, a line typed (no ghost
  // text, no request), then on again (ghost text).
  if (!ONLY.length || ONLY.includes('toggle')) {
    const pick = async (label) => {
      await page.locator('.statusbar-item', { hasText: 'DeepSeek' }).first().click();
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
      await row.waitFor({ state: 'visible', timeout: 10000 });
      await row.click();
    };
    const file = 'toggle.ts';
    fs.writeFileSync(path.join(WORKSPACE, file), 'export function twice(n: number): number {\n}\n'); // twice.ts without its body
    await (await palette('Control+P', file, file)).click();
    await page.waitForTimeout(1000);
    await pick('Turn completions off');
    await page.waitForTimeout(1000);
    const fims = async () => (await (await fetch(`${FAKE_URL}/_fake/requests`)).json()).filter((r) => r.path.includes('completions') && !r.path.includes('chat')).length;
    const before = await fims();
    await page.locator('.editor-instance .view-line', { hasText: 'twice' }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('return n', { delay: 60 });
    await page.waitForTimeout(2500);
    const offGhost = (await shown()).ghost;
    const offRequests = (await fims()) - before;
    const offStatus = await statusItem();
    await pick('Turn completions on');
    // "DeepSeek completions on", a message of a few seconds, is a status bar item of its own.
    await page.waitForTimeout(5000);
    const statusRow = async () => {
      await page.locator('.statusbar-item', { hasText: 'DeepSeek' }).first().click();
      await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10000 });
      await page.waitForTimeout(1000);
      const labels = await page.$$eval('.quick-input-widget .monaco-list-row', (els) =>
        els.filter((e) => e.offsetParent !== null).map((e) => e.getAttribute('aria-label') ?? ''));
      await page.keyboard.press('Escape');
      return nb(labels.find((l) => l.includes('Status:')) ?? labels.join(' | '));
    };
    console.log(`toggle: on -> item "${await statusItem()}", usage view's status row "${await statusRow()}"`);
    await page.locator('.editor-instance .view-line', { hasText: 'return n' }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.type(' ', { delay: 60 });
    const onGhost = await until('ghost text once on', async () => (await shown()).ghost.trim(), 15000).catch(() => '');
    console.log(`toggle: off -> ghost ${JSON.stringify(offGhost)}, ${offRequests} FIM request(s), item "${offStatus}"; `
      + `on -> item "${await statusItem()}", ${(await fims()) - before - offRequests} request(s), ghost ${JSON.stringify(onGhost)}`);
  }
  // A long day: the base URL changed live to a port where nothing listens (offline) and back,
  // the server process killed; after each, a line typed: the ghost text, the status bar item
  // and the pop-ups said.
  if (!ONLY.length || ONLY.includes('day')) {
    // Through the editor, as a user does: code-server misses a settings.json written behind its back.
    const setSetting = async (key, value) => {
      const now = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
      if (value === undefined) delete now[key]; else now[key] = value;
      await (await palette('F1', '>Preferences: Open User Settings (JSON)', 'Open User Settings (JSON)')).click();
      await until('settings.json focused', () => page.evaluate(() =>
        (document.activeElement?.closest('[data-uri]')?.getAttribute('data-uri') ?? '').endsWith('/settings.json')), 10000);
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(JSON.stringify(now));
      await page.keyboard.press('Control+S');
      await until('settings.json saved', async () => JSON.stringify(JSON.parse(fs.readFileSync(settingsFile, 'utf8'))[key]) === JSON.stringify(value), 10000);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
      await (await palette('Control+P', file, file)).click();
      await page.waitForTimeout(500);
    };
    const toasts = async () => nb((await page.$$eval('.notifications-toasts .notification-toast',
      (els) => els.map((e) => e.textContent ?? ''))).join(' | '));
    const original = fs.readFileSync(new URL('dataurl.py', ORIGINALS), 'utf8');
    const file = 'day.py';
    const cutLine = '        pref, data = path.split(",", 1)\n';
    fs.writeFileSync(path.join(WORKSPACE, file), original.replace(cutLine, ''));
    await (await palette('Control+P', file, file)).click();
    await until(`${file} open`, async () => (await page.$eval('.tab.active', (e) => e.textContent)).includes(file));
    const typeLine = async (label) => {
      await page.locator('.editor-instance .view-line', { hasText: 'def cat_file' }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('pref, data = path.split("', { delay: 50 });
      const ghost = await until('ghost text', async () => (await shown()).ghost.trim(), 8000).catch(() => '');
      await page.waitForTimeout(1500);
      console.log(`day ${label}: ghost ${JSON.stringify(ghost)}, item "${await statusItem()}", pop-ups "${(await toasts()).slice(0, 300)}"`);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Home');
      await page.keyboard.press('Shift+End');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Backspace');
      return ghost;
    };
    const online = await typeLine('online');
    const { createServer } = await import('node:net');
    const closed = await new Promise((resolve) => { const srv = createServer(); srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); }); });
    await setSetting('deepseek.baseUrl', `http://127.0.0.1:${closed}`);
    await page.waitForTimeout(3000);
    const offline = await typeLine('offline (base URL: a closed port)');
    await page.waitForTimeout(3000);
    console.log(`day offline after 3 s: item "${await statusItem()}", pop-ups "${(await toasts()).slice(0, 300)}"`);
    await setSetting('deepseek.baseUrl', FAKE_URL);
    await page.waitForTimeout(3000);
    const back = await typeLine('back online');
    // The model changed live: the next request names it; the file excluded live: no ghost
    // text, no request; the exclusion taken back: ghost text again.
    const fimModels = async () => (await (await fetch(`${FAKE_URL}/_fake/requests`)).json())
      .filter((r) => r.path.endsWith('/completions') && !r.path.includes('chat')).map((r) => r.json?.model);
    await setSetting('deepseek.completion.model', 'deepseek-v4-pro');
    await page.waitForTimeout(2000);
    const modelled = await typeLine('model deepseek-v4-pro');
    console.log(`day model: the last request's model ${(await fimModels()).slice(-1)[0]}`);
    await setSetting('deepseek.exclude', ['**/day.py']);
    await page.waitForTimeout(2000);
    // Counted once the setting is saved and applied: the line deleted before went out as usual.
    const requestsBefore = (await fimModels()).length;
    const excluded = await typeLine('excluded (deepseek.exclude: **/day.py)');
    const excludedRequests = (await fimModels()).length - requestsBefore;
    await setSetting('deepseek.exclude', undefined);
    await page.waitForTimeout(2000);
    const included = await typeLine('exclusion taken back');
    console.log(`day exclude: ${excludedRequests} request(s) while excluded`);
    if (!modelled || excluded || excludedRequests || !included) failures += 1;
    // The server process killed (SIGKILL), found by the state folder run.sh gave it.
    const stateDir = path.join(path.dirname(USER_DATA_DIR), 'state');
    const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('deepseek_lsp')
          && fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`DEEPSEEK_LSP_STATE_DIR=${stateDir}`);
      } catch { return false; }
    });
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await page.waitForTimeout(4000);
    console.log(`day killed ${pids.length} server process(es): item "${await statusItem()}", pop-ups "${(await toasts()).slice(0, 300)}"`);
    const killed = await typeLine('after the kill');
    const ok = online && !offline && back && killed;
    if (!ok) failures += 1;
    console.log(`${ok ? 'SAME' : 'DIFF'} day: ghost online ${!!online}, offline ${!!offline}, back ${!!back}, after the kill ${!!killed}`);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'explore-day.png') });
  }
  // The usage view: the item clicked.
  await page.locator('.statusbar-item', { hasText: 'DeepSeek' }).first().click();
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await until('usage rows', async () => (await rows.count()) > 2, 10000).catch(() => undefined);
  console.log(`usage view: ${nb((await rows.allTextContents()).join(' | ')).slice(0, 600)}`);
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'explore-usage.png') });
  await page.keyboard.press('Escape');
  console.log(`${accepts} scenarios run, ${failures} not SAME`);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
