// The DeepSeek fix's row in the quick fix menu of the diagnostic under the cursor, shared by
// e2e.mjs and explore.mjs.

/**
 * F8 puts the cursor on the diagnostic; Escape closes its peek; Ctrl+. lists the fixes.
 * Tried three times: in one CI run the menu never opened (the lightbulb shown, the key lost).
 */
export async function quickFixRow(page, label = 'Apply DeepSeek fix') {
  const item = page.locator('.action-widget .monaco-list-row', { hasText: label }).first();
  for (let attempt = 1; ; attempt++) {
    await page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await page.keyboard.press('F8');
    await page.waitForTimeout(500);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+.');
    try {
      await item.waitFor({ state: 'visible', timeout: 8000 });
      return item;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}
