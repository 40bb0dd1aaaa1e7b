// "DeepSeek: Show Usage": today and this month per model, as a quick pick (or a Markdown report).

import * as vscode from 'vscode';
import { isNoKeyMessage } from './apiKey';
import { counted } from './plural';
import { formatCost, formatTotalCost, ScopeJSON, ServerStatus, TotalsJSON, UsageJSON } from './statusBar';

interface UsageItem extends vscode.QuickPickItem {
  action?: 'markdown' | 'log' | 'key' | 'restart' | 'trust' | 'refresh' | 'toggle';
}

/** The server's words with the settings they name as VS Code names them (`deepseek.prices`):
 * the server names a setting by its key, as Neovim's and Emacs' configurations write it. */
export type SettingNames = (text: string) => string;

const asIs: SettingNames = (text) => text;

// The server's words (usage_feature.UNKNOWN_COST_HINT): what to do, with the settings' names.
function unknownCostHint(usage: UsageJSON, names: SettingNames): string {
  return names(usage.unknown_cost_hint ?? 'billed by a gateway that did not say what');
}

// The server's words (usage_feature.ESTIMATED_COST_HINT): what the estimate is, what to do.
function estimatedCostHint(usage: UsageJSON, names: SettingNames): string {
  return names(usage.estimated_cost_hint ?? "billed by a gateway that did not say what; estimated at DeepSeek's list price");
}

// The server's words (usage_report.ESTIMATED_TOKENS_HINT): what the "~" token figures are.
function estimatedTokensHint(usage: UsageJSON): string {
  return usage.estimated_tokens_hint ?? 'token figures counting requests closed before their usage came: counted by the server, not reported by the provider';
}

function fmtInt(n: number | undefined): string {
  return (n ?? 0).toLocaleString('en-US');
}

/** "~" before the token figures of totals that count requests closed before their usage came:
 * the server's count, which read as the provider's report ("cache hit 0, miss 77"). */
function approx(t: TotalsJSON): string {
  return t.estimated ? '~' : '';
}

/** The share of the prompts the provider's cache held, "47 %" (what a spend follows: a hit costs 2 % of a miss); '' without a hit. */
function hitShare(t: TotalsJSON): string {
  return t.cache_hit_share ? `${approx(t)}${Math.round(t.cache_hit_share * 100)} %` : '';
}

function detail(t: TotalsJSON): string {
  const mark = approx(t);
  const parts = [
    counted(t.requests, 'request') + (t.errors ? `, ${fmtInt(t.errors)} failed` : '') +
      (t.cancelled ? `, ${fmtInt(t.cancelled)} cancelled` : '') + (t.estimated ? `, ${fmtInt(t.estimated)} estimated` : ''),
    `prompt ${mark}${counted(t.prompt_tokens, 'token')} (cache hit ${mark}${fmtInt(t.cache_hit_tokens)}${hitShare(t) && `, ${hitShare(t)}`}, miss ${mark}${fmtInt(t.cache_miss_tokens)})`,
    `output ${mark}${fmtInt(t.output_tokens)}`,
  ];
  if (t.mean_latency_s != null) {
    parts.push(`mean ${Math.round(t.mean_latency_s * 1000)} ms`);
  }
  return parts.join(' · ');
}

/** What each feature's requests cost: completions, their prefetches and reviews told apart. */
function byFeature(scope: ScopeJSON | undefined): string {
  return Object.entries(scope?.features ?? {})
    .map(([name, t]) => `${name} ${formatTotalCost(t)} (${counted(t.requests, 'request')})`)
    .join(' · ');
}

function scopeItems(label: string, scope: ScopeJSON | undefined): UsageItem[] {
  const items: UsageItem[] = [];
  const total = scope?.total ?? {};
  items.push({ label: `${label}: ${formatTotalCost(total)}`, kind: vscode.QuickPickItemKind.Separator });
  const models = Object.entries(scope?.models ?? {});
  if (models.length === 0) {
    items.push({ label: '$(dash) no requests', description: '' });
  }
  for (const [model, t] of models) {
    items.push({ label: `$(symbol-method) ${model}`, description: formatTotalCost(t), detail: detail(t) });
  }
  const features = byFeature(scope);
  if (features) {
    items.push({ label: '$(list-tree) by feature', description: features });
  }
  return items;
}

/** Whether any totals shown count requests whose token figures the server estimated. */
function estimatedTokens(usage: UsageJSON): boolean {
  return Boolean(usage.estimated_tokens_hint || usage.today?.total?.estimated || usage.month?.total?.estimated);
}

/** Today's spend, "~" and how much of it is an estimate when part of it is. */
function spentToday(budget: NonNullable<UsageJSON['budget']>): string {
  const spent = formatCost(budget.spent_today_usd);
  return budget.estimated_usd ? `~${spent} (${formatCost(budget.estimated_usd)} of it estimated)` : spent;
}

export function usageMarkdown(usage: UsageJSON, names: SettingNames = asIs): string {
  const out: string[] = ['# DeepSeek usage', ''];
  const status = usage.status;
  if (status) {
    out.push(`Status: **${status.kind}**${status.message ? ` — ${names(status.message)}` : ''}`, '');
  }
  const table = (title: string, scope: ScopeJSON | undefined) => {
    out.push(`## ${title}`, '');
    out.push('| model | cost | requests | prompt tokens | cache hit | cache miss | output tokens |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    const rows: [string, TotalsJSON][] = [...Object.entries(scope?.models ?? {}), ['**total**', scope?.total ?? {}]];
    for (const [model, t] of rows) {
      const mark = approx(t);
      out.push(
        `| ${model} | ${formatTotalCost(t)} | ${fmtInt(t.requests)}${t.estimated ? ` (${fmtInt(t.estimated)} estimated)` : ''} | ` +
          `${mark}${fmtInt(t.prompt_tokens)} | ${mark}${fmtInt(t.cache_hit_tokens)}${hitShare(t) && ` (${hitShare(t)})`} | ` +
          `${mark}${fmtInt(t.cache_miss_tokens)} | ${mark}${fmtInt(t.output_tokens)} |`,
      );
    }
    out.push('');
    const features = byFeature(scope);
    if (features) {
      out.push(`By feature: ${features}`, '');
    }
  };
  table(`Today (${usage.today?.day ?? ''}, UTC)`, usage.today);
  table(`This month (${usage.month?.month ?? ''})`, usage.month);
  if (usage.budget) {
    out.push(
      `Daily budget: ${formatCost(usage.budget.daily_usd)}, spent ${spentToday(usage.budget)}, ` +
        // Reserved by requests in flight: without it, spent and remaining fell short of the budget.
        (usage.budget.under_way_usd ? `up to ${formatCost(usage.budget.under_way_usd)} in requests under way, ` : '') +
        `remaining ${formatCost(usage.budget.remaining_usd)}.`,
      '',
    );
  }
  if (usage.unpriced_models?.length) {
    out.push(`Models without a price (counted as $0): ${usage.unpriced_models.join(', ')}.`, '');
  }
  if (usage.estimated_cost_models?.length) {
    out.push(`Cost estimated (~) for requests to ${usage.estimated_cost_models.join(', ')}: ${estimatedCostHint(usage, names)}.`, '');
  }
  if (usage.unknown_cost_models?.length) {
    out.push(`Cost unknown for requests to ${usage.unknown_cost_models.join(', ')}: ${unknownCostHint(usage, names)}.`, '');
  }
  if (estimatedTokens(usage)) {
    out.push(`Estimated (~): ${estimatedTokensHint(usage)}.`, '');
  }
  if (usage.path) {
    out.push(`Ledger: \`${usage.path}\``, '');
  }
  return out.join('\n');
}

/** What the quick pick's actions run. */
export interface UsageCommands {
  log: () => void;
  setKey: () => void;
  restart: () => void;
  trust?: () => void;
  /** "DeepSeek: Toggle Completions"; `on`: whether completions are on for the active file's settings. */
  toggle?: { on: boolean; run: () => void };
}

export async function showUsage(
  fetch: () => Promise<UsageJSON | undefined>,
  status: () => ServerStatus,
  commands: UsageCommands,
  names: SettingNames = asIs,
): Promise<void> {
  const usage = await fetch();
  const items: UsageItem[] = [];
  // Read after the fetch, which brings the server's latest status: as the status bar shows it
  // (the server not started; the file being edited), not the server's last word about any file.
  const st = status();
  // No key yet (a first start): setting one is what to do, at the top, picked by Enter; it was
  // the menu's last entry, below the day's and the month's empty tables.
  const noKey = isNoKeyMessage(st.message);
  items.push({
    label: `${st.kind === 'Normal' ? '$(sparkle)' : st.kind === 'Inactive' ? '$(circle-slash)' : st.kind === 'Warning' ? '$(warning)' : '$(error)'} Status: ${st.kind}`,
    detail: st.message || undefined,
    action: noKey ? 'key' : 'refresh',
  });
  if (noKey) {
    items.push({ label: '$(key) Set API key…', description: 'DeepSeek: Set API Key', action: 'key' });
  }
  if (usage) {
    items.push(...scopeItems(`Today (${usage.today?.day ?? ''} UTC)`, usage.today));
    items.push(...scopeItems(`This month (${usage.month?.month ?? ''})`, usage.month));
    if (usage.budget) {
      items.push({
        label: `$(law) Daily budget ${formatCost(usage.budget.daily_usd)}`,
        // What is left is an estimate too when part of the day's spend is (as the report says).
        description: `${usage.budget.estimated_usd ? '~' : ''}${formatCost(usage.budget.remaining_usd)} left`,
      });
    }
    // As the Markdown report says: without it a model with no price looked free.
    if (usage.unpriced_models?.length) {
      items.push({
        label: `$(warning) Models without a price: ${usage.unpriced_models.join(', ')}`,
        description: 'counted as $0 (deepseek.prices)',
      });
    }
    if (usage.estimated_cost_models?.length) {
      items.push({
        label: `$(info) Cost estimated: ${usage.estimated_cost_models.join(', ')}`,
        description: "~ at DeepSeek's list price",
        detail: estimatedCostHint(usage, names),
      });
    }
    if (usage.unknown_cost_models?.length) {
      items.push({
        label: `$(warning) Cost unknown: ${usage.unknown_cost_models.join(', ')}`,
        description: 'billed by a gateway that did not say what',
        detail: unknownCostHint(usage, names),
      });
    }
    if (estimatedTokens(usage)) {
      items.push({
        label: '$(info) Token figures marked ~ are estimated',
        description: 'requests closed before their usage came',
        detail: estimatedTokensHint(usage),
      });
    }
  } else {
    items.push({ label: '$(info) The server is not running: no usage to show.' });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  // Where a Copilot user looks for it: the status bar item's menu turns completions off and on.
  if (commands.toggle) {
    items.push(
      commands.toggle.on
        ? { label: '$(circle-slash) Turn completions off', description: 'DeepSeek: Toggle Completions', action: 'toggle' }
        : { label: '$(sparkle) Turn completions on', description: 'DeepSeek: Toggle Completions', action: 'toggle' },
    );
  }
  if (usage) {
    items.push({ label: '$(markdown) Open as Markdown report', action: 'markdown' });
  }
  items.push({ label: '$(output) Show log', action: 'log' });
  if (!noKey) {
    items.push({ label: '$(key) Set API key…', action: 'key' });
  }
  // In an untrusted workspace the server does not start: "Restart server" did nothing there.
  if (commands.trust) {
    items.push({ label: '$(shield) Manage workspace trust', action: 'trust' });
  } else {
    items.push({ label: '$(debug-restart) Restart server', action: 'restart' });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'DeepSeek usage',
    placeHolder: usage ? `Today ${formatTotalCost(usage.today?.total)} · this month ${formatTotalCost(usage.month?.total)}` : 'DeepSeek',
    matchOnDetail: true,
  });
  switch (picked?.action) {
    case 'markdown': {
      if (!usage) {
        return;
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: usageMarkdown(usage, names) });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
      return;
    }
    case 'log':
      commands.log();
      return;
    case 'key':
      commands.setKey();
      return;
    case 'restart':
      commands.restart();
      return;
    case 'trust':
      commands.trust?.();
      return;
    case 'toggle':
      commands.toggle?.run();
      return;
    case 'refresh':
      return showUsage(fetch, status, commands, names);
  }
}
