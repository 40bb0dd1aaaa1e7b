// The e2e run's verdict from its steps' results, apart from the browser so that it is tested
// (test/unit/e2eVerdict.test.ts).

/**
 * The closing line and exit status of a run whose steps gave `results`: `{ name, ok }`, with
 * `skipped` for a step not run, and `unselected` too where E2E_STEPS left it out. A step left
 * out is no failure: a run of the steps E2E_STEPS named, each passing, printed "2 passed,
 * 0 failed, 46 skipped" and exited 1 (run.sh: "E2E FAIL"). It passes, saying how many steps it
 * did not run, as it proves only the others. A step skipped because one it needs failed still
 * fails the run, and so does a run that passed no step (it proves nothing).
 */
export function verdict(results) {
  const passed = results.filter((r) => r.ok).length;
  const unselected = results.filter((r) => r.unselected).length;
  const skipped = results.filter((r) => r.skipped).length - unselected;
  const failed = results.length - passed - skipped - unselected;
  let line = `${passed} passed, ${failed} failed, ${skipped} skipped`;
  if (unselected) {
    line += `; ${unselected} of ${results.length} steps not run (E2E_STEPS)`;
  }
  return { line, exitCode: failed || skipped || !passed ? 1 : 0 };
}
