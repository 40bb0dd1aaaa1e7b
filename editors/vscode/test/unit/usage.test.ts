// "DeepSeek: Show Usage" (src/usage.ts) and the cost format (src/statusBar.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCost, formatTotalCost, StatusBar, UsageJSON } from '../../src/statusBar';
import { showUsage, usageMarkdown } from '../../src/usage';
import { stub } from './vscode-stub';

const usage: UsageJSON = {
  today: {
    day: '2025-01-02',
    models: { 'my-local-model': { requests: 40, cost_usd: 0 }, 'deepseek-v4-flash': { requests: 2, cost_usd: 0.02 } },
    total: { requests: 42, cost_usd: 0.02 },
  },
  month: { month: '2025-01', models: {}, total: { requests: 42, cost_usd: 0.02 } },
  unpriced_models: ['my-local-model'],
};

test('the usage quick pick says which models have no price (counted as $0), as the report does', async () => {
  stub.quickPicks = [];
  await showUsage(async () => usage, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  assert.ok(usageMarkdown(usage).includes('Models without a price (counted as $0): my-local-model'));
  const texts = stub.quickPicks[0].items.map((i) => [i.label, i.description, i.detail].join(' '));
  const said = texts.filter((t) => /price/i.test(t) && t.includes('my-local-model'));
  assert.equal(said.length, 1, texts.join('\n'));
});

test('a tiny spend is never shown as $0.00', () => {
  assert.equal(formatCost(0.00004), '<$0.0001');
  assert.equal(formatCost(0.0004), '$0.0004');
  assert.equal(formatCost(0), '$0.00');
});

test('in an untrusted workspace the usage quick pick offers to trust it, not a restart that does nothing', async () => {
  const labels = async (trust?: () => void) => {
    stub.quickPicks = [];
    await showUsage(async () => undefined, () => ({ kind: 'Inactive', message: 'not trusted' }), {
      log() {},
      setKey() {},
      restart() {},
      trust,
    });
    return stub.quickPicks[0].items.map((i) => i.label).join('\n');
  };
  const untrusted = await labels(() => undefined);
  assert.match(untrusted, /Manage workspace trust/);
  assert.doesNotMatch(untrusted, /Restart server/);
  assert.match(await labels(), /Restart server/);
});

test('the status bar item\'s menu turns completions off and on, as Copilot\'s does', async () => {
  let toggled = 0;
  const commands = { log() {}, setKey() {}, restart() {}, toggle: { on: true, run: () => (toggled += 1) } };
  stub.quickPicks = [];
  await showUsage(async () => usage, () => ({ kind: 'Normal', message: '' }), commands);
  const labels = stub.quickPicks[0].items.map((i) => i.label);
  assert.ok(labels.includes('$(circle-slash) Turn completions off'), labels.join('\n'));
  stub.quickPicks = [];
  await showUsage(async () => usage, () => ({ kind: 'Inactive', message: 'completions are turned off' }), {
    ...commands,
    toggle: { on: false, run: commands.toggle.run },
  });
  assert.ok(stub.quickPicks[0].items.some((i) => i.label === '$(sparkle) Turn completions on'));
});

test('the usage quick pick counts requests and tokens in words: 1 request, 1 token, 2 requests', async () => {
  const one: UsageJSON = {
    today: {
      day: '2025-01-02',
      models: {
        'deepseek-v4-flash': { requests: 1, prompt_tokens: 1, cost_usd: 0.0001 },
        'deepseek-v4-pro': { requests: 2, prompt_tokens: 2000, cost_usd: 0.01 },
      },
      total: { requests: 3, cost_usd: 0.0101 },
    },
  };
  stub.quickPicks = [];
  await showUsage(async () => one, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  const details = stub.quickPicks[0].items.map((i) => i.detail ?? '').filter((d) => d);
  assert.match(details[0], /^1 request · prompt 1 token \(/, details.join('\n'));
  assert.match(details[1], /^2 requests · prompt 2,000 tokens \(/, details.join('\n'));
});

test('requests a gateway billed without saying what are "cost unknown", never $0.00', async () => {
  const unknown: UsageJSON = {
    today: {
      day: '2025-01-02',
      models: { 'gpt-4o': { requests: 3, cost_usd: 0, unknown_cost: 3 }, 'deepseek-v4-flash': { requests: 1, cost_usd: 0.02 } },
      total: { requests: 4, cost_usd: 0.02, unknown_cost: 3 },
    },
    month: { month: '2025-01', models: {}, total: { requests: 3, cost_usd: 0, unknown_cost: 3 } },
    unknown_cost_models: ['gpt-4o'],
    unknown_cost_hint: 'set include_cost_in_streaming_usage',
  };
  assert.equal(formatTotalCost(unknown.month.total), 'cost unknown');
  assert.equal(formatTotalCost(unknown.today.total), '$0.02 + unknown');
  const report = usageMarkdown(unknown);
  assert.match(report, /\| gpt-4o \| cost unknown \|/);
  assert.match(report, /Cost unknown for requests to gpt-4o: .*include_cost_in_streaming_usage/);
  stub.quickPicks = [];
  await showUsage(async () => unknown, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  const texts = stub.quickPicks[0].items.map((i) => [i.label, i.description].join(' '));
  assert.ok(texts.includes('$(symbol-method) gpt-4o cost unknown'), texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('$(warning) Cost unknown: gpt-4o')), texts.join('\n'));
});

test('requests a gateway billed without saying what, estimated at list prices, read "~" with what the estimate is', async () => {
  const estimated: UsageJSON = {
    today: {
      day: '2025-01-02',
      models: { 'deepseek/deepseek-v4-pro': { requests: 2, cost_usd: 0.03, estimated_usd: 0.03 } },
      total: { requests: 2, cost_usd: 0.03, estimated_usd: 0.03 },
    },
    month: { month: '2025-01', models: {}, total: { requests: 2, cost_usd: 0.03, estimated_usd: 0.03 } },
    estimated_cost_models: ['deepseek/deepseek-v4-pro'],
    estimated_cost_hint: "estimated at DeepSeek's list price; set include_cost_in_streaming_usage",
    budget: { daily_usd: 1, spent_today_usd: 0.03, remaining_usd: 0.97, estimated_usd: 0.03 },
  };
  assert.equal(formatTotalCost(estimated.today.total), '~$0.03');
  const report = usageMarkdown(estimated);
  assert.match(report, /\| deepseek\/deepseek-v4-pro \| ~\$0\.03 \|/);
  assert.match(report, /spent ~\$0\.03 \(\$0\.03 of it estimated\)/);
  assert.match(report, /Cost estimated \(~\) for requests to deepseek\/deepseek-v4-pro: .*include_cost_in_streaming_usage/);
  stub.quickPicks = [];
  await showUsage(async () => estimated, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  const texts = stub.quickPicks[0].items.map((i) => [i.label, i.description].join(' '));
  assert.ok(texts.includes('$(symbol-method) deepseek/deepseek-v4-pro ~$0.03'), texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('$(info) Cost estimated: deepseek/deepseek-v4-pro')), texts.join('\n'));
  assert.ok(texts.includes('$(law) Daily budget $1.00 ~$0.97 left'), texts.join('\n'));
});

test("the usage view's cost notes name settings as VS Code does (deepseek.prices), as the status bar does", async () => {
  const hint = "billed by a gateway that did not say what; ... or give the model a price in the 'prices' setting";
  const gateway: UsageJSON = { ...usage, unknown_cost_models: ['gw-model'], unknown_cost_hint: hint, estimated_cost_models: ['gw2'], estimated_cost_hint: hint };
  const bar = new StatusBar();
  bar.setSettingKeys(['prices', 'baseUrl']);
  const names = (text: string) => bar.settingNames(text);
  stub.quickPicks = [];
  await showUsage(async () => gateway, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} }, names);
  const details = stub.quickPicks[0].items.filter((i) => /Cost (unknown|estimated)/.test(i.label)).map((i) => i.detail ?? '');
  assert.equal(details.length, 2, details.join('\n'));
  for (const detail of details) {
    assert.match(detail, /in the 'deepseek\.prices' setting/, detail);
  }
  const report = usageMarkdown(gateway, names);
  assert.equal(report.match(/'deepseek\.prices'/g)?.length, 2, report);
  assert.doesNotMatch(report, /'prices'/, report);
  bar.dispose();
});

test('what completions, their prefetches and reviews cost is told apart, today and this month', async () => {
  const features = {
    completion: { requests: 40, cost_usd: 0.0123 },
    prefetch: { requests: 12, cost_usd: 0.004 },
    review: { requests: 1, cost_usd: 0.05 },
  };
  const split: UsageJSON = {
    ...usage,
    today: { ...usage.today, features },
    month: { ...usage.month, features: { completion: { requests: 40, cost_usd: 0.0123 } } },
  };
  const said = 'completion $0.01 (40 requests) · prefetch $0.0040 (12 requests) · review $0.05 (1 request)';
  assert.ok(usageMarkdown(split).includes(`By feature: ${said}`), usageMarkdown(split));
  stub.quickPicks = [];
  await showUsage(async () => split, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  const rows = stub.quickPicks[0].items.filter((i) => i.label.includes('by feature'));
  assert.deepEqual(
    rows.map((i) => i.description),
    [said, 'completion $0.01 (40 requests)'],
  );
});

test("the share of the prompts the provider's cache held is said beside its counts", async () => {
  const flash = { requests: 3, cost_usd: 0.001, prompt_tokens: 6535, cache_hit_tokens: 3072, cache_miss_tokens: 3463, cache_hit_share: 0.4701 };
  const held: UsageJSON = { ...usage, today: { day: '2025-01-02', models: { 'deepseek-v4-flash': flash }, total: flash } };
  assert.ok(usageMarkdown(held).includes('| 3,072 (47 %) | 3,463 |'), usageMarkdown(held));
  stub.quickPicks = [];
  await showUsage(async () => held, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  const row = stub.quickPicks[0].items.find((i) => i.label.includes('deepseek-v4-flash'));
  assert.ok(row?.detail?.includes('prompt 6,535 tokens (cache hit 3,072, 47 %, miss 3,463)'), row?.detail);
});

test('token figures the server estimated (requests closed before their usage came) are marked ~ and said', async () => {
  // One reported request and one closed unanswered: "cache hit 0, miss 77" read as DeepSeek's count.
  const flash = { requests: 2, cancelled: 1, estimated: 1, cost_usd: 0.001, prompt_tokens: 4010, cache_hit_tokens: 3520, cache_miss_tokens: 490, output_tokens: 14, cache_hit_share: 0.8778 };
  const pro = { requests: 1, cost_usd: 0.002, prompt_tokens: 2000, cache_hit_tokens: 1536, cache_miss_tokens: 464, output_tokens: 10, cache_hit_share: 0.768 };
  const total = { requests: 3, cancelled: 1, estimated: 1, cost_usd: 0.003, prompt_tokens: 6010, cache_hit_tokens: 5056, cache_miss_tokens: 954, output_tokens: 24, cache_hit_share: 0.8413 };
  const hint = 'token figures counting requests closed before their usage came (the server’s words)';
  const held: UsageJSON = {
    ...usage,
    unpriced_models: [],
    today: { day: '2025-01-02', models: { 'deepseek-v4-flash': flash, 'deepseek-v4-pro': pro }, total },
    estimated_tokens_hint: hint,
  };
  const markdown = usageMarkdown(held);
  assert.ok(markdown.includes('| deepseek-v4-flash | $0.0010 | 2 (1 estimated) | ~4,010 | ~3,520 (~88 %) | ~490 | ~14 |'), markdown);
  assert.ok(markdown.includes('| deepseek-v4-pro | $0.0020 | 1 | 2,000 | 1,536 (77 %) | 464 | 10 |'), markdown);
  assert.ok(markdown.includes(`Estimated (~): ${hint}.`), markdown);
  stub.quickPicks = [];
  await showUsage(async () => held, () => ({ kind: 'Normal', message: '' }), { log() {}, setKey() {}, restart() {} });
  const items = stub.quickPicks[0].items;
  const row = items.find((i) => i.label.includes('deepseek-v4-flash'));
  assert.ok(row?.detail?.startsWith('2 requests, 1 cancelled, 1 estimated · prompt ~4,010 tokens (cache hit ~3,520, ~88 %, miss ~490) · output ~14'), row?.detail);
  assert.ok(items.find((i) => i.label.includes('deepseek-v4-pro'))?.detail?.includes('prompt 2,000 tokens (cache hit 1,536, 77 %, miss 464)'));
  assert.ok(items.some((i) => i.label.includes('marked ~') && i.detail === hint), items.map((i) => i.label).join('\n'));
});
