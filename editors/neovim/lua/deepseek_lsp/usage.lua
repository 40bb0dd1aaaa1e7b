--- :DeepSeekUsage: what the server's usage ledger says was spent, in lines for a float.
local util = require("deepseek_lsp.util")
local float = require("deepseek_lsp.float")

local M = {}

M.REQUEST = "deepseek/usage"

--- Dollars with 4 decimals; a spend too small for them is not "$0.0000" (read as nothing spent).
local function usd(x)
  x = tonumber(x) or 0
  if x > 0 and x < 0.0001 then
    return "<$0.0001"
  end
  return ("$%.4f"):format(x)
end

--- What totals cost: requests a gateway billed without saying what (a LiteLLM stream) are
--- "unknown", never "$0.0000", which read as free, and a figure estimated in part at list
--- prices reads "~$0.0123", not as the gateway's bill (as `deepseek-lsp usage` says it).
local function cost(t)
  local unknown = tonumber(t.unknown_cost) or 0
  local figure = ((tonumber(t.estimated_usd) or 0) > 0 and "~" or "") .. usd(t.cost_usd)
  if unknown == 0 then
    return figure
  end
  return (tonumber(t.cost_usd) or 0) > 0 and (figure .. " + unknown") or "cost unknown"
end

--- "~" before the token figures of totals that count requests closed before their usage came:
--- the server's count, which read as the provider's report ("0 cached" of a prompt it held).
local function approx(t)
  return (tonumber(t.estimated) or 0) > 0 and "~" or ""
end

--- After a request count, how many of them have estimated figures: " (1 estimated)".
local function of_them_estimated(t)
  local n = tonumber(t.estimated) or 0
  return n > 0 and (" (%s estimated)"):format(util.fmt_int(n)) or ""
end

--- Lines describing a `deepseek/usage` answer.
function M.usage_lines(u)
  local lines = {}
  local function scope(label, data)
    if type(data) ~= "table" then
      return
    end
    local t = data.total or {}
    -- The share of the prompts the provider's cache held: what a spend follows (a hit costs 2 %
    -- of a miss), which the counts alone left to divide by hand.
    local share = tonumber(t.cache_hit_share)
    local mark = approx(t)
    lines[#lines + 1] = ("%s: %s  %s%s  %s in (%s cached%s)  %s out"):format(
      label,
      cost(t),
      util.counted(t.requests, "request"),
      of_them_estimated(t),
      mark .. util.counted(t.prompt_tokens, "token"),
      mark .. util.fmt_int(t.cache_hit_tokens),
      (share or 0) > 0 and (", %s%d %%"):format(mark, math.floor(share * 100 + 0.5)) or "",
      mark .. util.fmt_int(t.output_tokens)
    )
    for model, m in pairs(data.models or {}) do
      lines[#lines + 1] = ("  %-22s %s  %s req%s  %s in  %s out"):format(
        model,
        cost(m),
        util.fmt_int(m.requests),
        of_them_estimated(m),
        approx(m) .. util.fmt_int(m.prompt_tokens),
        approx(m) .. util.fmt_int(m.output_tokens)
      )
    end
    -- Completions, their prefetches and reviews told apart, by name.
    local features = {}
    for name, f in pairs(type(data.features) == "table" and data.features or {}) do
      features[#features + 1] = name
    end
    table.sort(features)
    for i, name in ipairs(features) do
      local f = data.features[name]
      features[i] = ("%s %s (%s)"):format(name, cost(f), util.counted(f.requests, "request"))
    end
    if #features > 0 then
      lines[#lines + 1] = "  by feature: " .. table.concat(features, ", ")
    end
  end
  -- UTC's day, as the daily budget's and the other editors': west of Greenwich, in the evening,
  -- a bare date was tomorrow's with no word why.
  scope("Today (" .. tostring((u.today or {}).day or "?") .. ", UTC)", u.today)
  scope("Month (" .. tostring((u.month or {}).month or "?") .. ")", u.month)
  scope("This session", u.session)
  if type(u.budget) == "table" then
    -- Budgets under a cent are set (a free tier, a test): "$0.00" read as "no budget".
    local under_way = tonumber(u.budget.under_way_usd) or 0
    -- Reserved by requests in flight: without it the remaining figure looked too low.
    local held = under_way > 0 and (", up to %s in requests under way"):format(usd(under_way)) or ""
    -- Spent in part at list prices (a gateway that told no cost): said as the estimate it is.
    local estimated = tonumber(u.budget.estimated_usd) or 0
    local spent = estimated > 0
        and (", spent ~%s (%s of it estimated)"):format(usd(u.budget.spent_today_usd), usd(estimated))
      or ""
    lines[#lines + 1] = ("Daily budget: %s%s%s, remaining %s"):format(
      usd(u.budget.daily_usd),
      spent,
      held,
      usd(u.budget.remaining_usd)
    )
  end
  if type(u.unpriced_models) == "table" and #u.unpriced_models > 0 then
    lines[#lines + 1] = "No price known for: " .. table.concat(u.unpriced_models, ", ")
  end
  if type(u.estimated_cost_models) == "table" and #u.estimated_cost_models > 0 then
    lines[#lines + 1] = "Cost estimated (~) for requests to "
      .. table.concat(u.estimated_cost_models, ", ")
      .. ": "
      -- The server's words (usage_feature.ESTIMATED_COST_HINT): what the estimate is, what to do.
      .. tostring(u.estimated_cost_hint or "billed by a gateway that did not say what; estimated at DeepSeek's list price")
  end
  if type(u.unknown_cost_models) == "table" and #u.unknown_cost_models > 0 then
    lines[#lines + 1] = "Cost unknown for requests to "
      .. table.concat(u.unknown_cost_models, ", ")
      .. ": "
      -- The server's words (usage_feature.UNKNOWN_COST_HINT): what to do, with the settings' names.
      .. tostring(u.unknown_cost_hint or "billed by a gateway that did not say what")
  end
  if u.estimated_tokens_hint then
    -- The server's words (usage_report.ESTIMATED_TOKENS_HINT): what the "~" token figures are.
    lines[#lines + 1] = "Estimated (~): " .. tostring(u.estimated_tokens_hint)
  end
  return lines
end

--- Ask the server for the usage ledger; callback(err, summary).
function M.usage(callback)
  local client = util.any_client()
  if not client then
    callback("deepseek-lsp is not running")
    return
  end
  util.ask(client, M.REQUEST, vim.empty_dict(), callback)
end

function M.show_usage()
  local client = util.any_client()
  if not client then
    util.notify_user("usage: deepseek-lsp is not running", vim.log.levels.WARN)
    return
  end
  float.show_answer(client, M.REQUEST, "DeepSeek usage", function(err, summary, note)
    if err or note then
      return { ("Usage not available%s: %s"):format(err and "" or " yet", err or note) }
    end
    return M.usage_lines(type(summary) == "table" and summary or {})
  end)
end

return M
