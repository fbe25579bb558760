// The team lead's view: volume, actions, production precision, KB acceptance, insights.
import { call } from "./api.js";
import { el, byId, clear, say } from "./dom.js";
import { t, percent, number, labelName, shortDay } from "./i18n.js";
import { barChart, columnChart, stackedChart } from "./charts.js";
import { explain, report } from "./ui.js";
import { renderInsight } from "./insights.js";

const TARGETS = ["category", "priority", "support_line"];
const ACTIONS = ["auto", "suggest", "review"];
const INSIGHTS = [
  ["insightKpi", "v1/insights/kpi"],
  ["insightEmerging", "v1/incidents/emerging"],
  ["insightClusters", "v1/insights/clusters"],
  ["insightGaps", "v1/insights/kb-gaps"],
];
let shown = null; // {days, stats, volume, insights}: the last data, redrawn on a language change

function timeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

async function fetchVolume() {
  const first = await settle(call("GET", "v1/stats/volume", { query: { tz: timeZone() } }));
  if (first.ok || first.error.kind !== "validation") return first;
  return settle(call("GET", "v1/stats/volume", { query: { tz: "UTC" } })); // a zone the server lacks
}

function targetName(target) {
  return t(`target_${target}`);
}

function labelRows(target, counts) {
  return Object.entries(counts || {}).map(([label, value]) => ({ label: labelName(target, label), value: Number(value) }));
}

function drawVolume(node, volume) {
  const today = volume.today || {};
  const week = volume.week || {};
  node.append(el("p", { class: "totals" },
    el("span", {}, `${t("today")}: `, el("strong", {}, t("tickets", { n: today.tickets ?? 0 }))),
    el("span", {}, `${t("thisWeek")}: `, el("strong", {}, t("tickets", { n: week.tickets ?? 0 })))));
  const grid = el("div", { class: "chart-grid" });
  for (const [target, caption] of [["category", "byCategory"], ["support_line", "byLine"]]) {
    grid.append(barChart(labelRows(target, (today.labels || {})[target]), { caption: `${t(caption)} — ${t("today")}` }));
    grid.append(barChart(labelRows(target, (week.labels || {})[target]), { caption: `${t(caption)} — ${t("thisWeek")}` }));
  }
  node.append(grid);
  const days = (volume.daily || []).map((d) => ({ label: shortDay(d.date), value: Number(d.tickets) }));
  if (days.length) node.append(columnChart(days, { caption: t("daily") }));
}

function drawActions(node, stats) {
  const rows = TARGETS.filter((tg) => stats.targets && stats.targets[tg] && Object.keys(stats.targets[tg].coverage || {}).length)
    .map((tg) => ({ label: targetName(tg), parts: ACTIONS.map((a) => ({ name: t(`action_${a}`), value: Number(stats.targets[tg].coverage[a] || 0), kind: a })) }));
  if (!rows.length) return node.append(el("p", { class: "hint" }, t("insightEmpty")));
  node.append(stackedChart(rows, { caption: `${t("actionsCaption")} (${t("days", { n: shown.days })})`, format: percent }));
}

function drawPrecision(node, stats) {
  const rows = [];
  const notes = el("ul", { class: "plain" });
  for (const tg of TARGETS) {
    const r = (stats.targets || {})[tg];
    if (!r) continue;
    if (r.precision === null || r.precision === undefined) {
      notes.append(el("li", {}, `${targetName(tg)}: ${t("notJudged")}`));
      continue;
    }
    rows.push({ label: `${targetName(tg)} (${t("judged", { n: r.judged })})`, value: r.precision });
    if (r.auto_precision !== null && r.auto_precision !== undefined) {
      notes.append(el("li", {}, `${targetName(tg)}: ${t("autoPrecision", { value: percent(r.auto_precision), n: r.auto_judged })}`));
    }
    if (typeof r.auto_worth_per_judged === "number" && r.auto_judged > 0) {
      notes.append(worthNote(tg, r, stats.cost_ratio));
    }
  }
  if (rows.length) node.append(barChart(rows, { caption: t("precisionCaption"), format: percent, max: 1 }));
  node.append(notes);
}

/** What the autos earned at close, by the price the thresholds were chosen with: right autos
 * minus cost_ratio times wrong ones, per judged ticket (below zero: they cost more than they save). */
function worthNote(tg, r, ratio) {
  const value = (r.auto_worth_per_judged > 0 ? "+" : "") + number(r.auto_worth_per_judged);
  const text = t("autoWorth", { value, wrong: r.auto_wrong, ratio: number(ratio, 1) });
  return el("li", { "data-worth": r.auto_worth_per_judged < 0 ? "negative" : "positive" }, `${targetName(tg)}: ${text}`);
}

function drawKbAcceptance(node, stats) {
  const value = stats.kb_acceptance;
  node.append(el("p", { class: "big" }, value === null || value === undefined ? "—" : percent(value)));
  node.append(el("p", {}, value === null || value === undefined ? t("kbNoneRated") : t("kbAccept", { value: percent(value), n: stats.kb_rated })));
  const o = stats.feedback_outcomes || {};
  node.append(el("p", { class: "meta" }, t("feedbackCounts", { accepted: o.accepted ?? 0, corrected: o.corrected ?? 0, rejected: o.rejected ?? 0, rated: o.rated ?? 0 })));
}

function section(id, outcome, draw, data) {
  const node = clear(byId(id));
  if (!outcome.ok) return node.append(el("p", { class: "status", "data-kind": "error" }, explain(outcome.error)));
  draw(node, data ?? outcome.value);
}

function drawInsights(insights) {
  const node = clear(byId("insights"));
  for (const [[title], outcome] of insights) {
    const box = el("section", { class: "insight" }, el("h4", {}, t(title)));
    if (outcome.ok) box.append(renderInsight(outcome.value));
    else if (outcome.error.kind === "notfound") box.append(el("p", { class: "hint" }, t("insightAbsent")));
    else box.append(el("p", { class: "status", "data-kind": "error" }, explain(outcome.error)));
    node.append(box);
  }
}

function draw() {
  section("volume", shown.volume, drawVolume);
  section("actions", shown.stats, drawActions);
  section("precision", shown.stats, drawPrecision);
  section("kbaccept", shown.stats, drawKbAcceptance);
  drawInsights(shown.insights);
}

/** Fetch everything the lead view shows (each part fails on its own) and draw it. */
export async function loadLead() {
  const status = byId("lead-status");
  say(status, t("loading"));
  const days = Number(byId("lead-days").value) || 30;
  const [stats, volume, ...insights] = await Promise.all([
    settle(call("GET", "v1/stats", { query: { days } })),
    fetchVolume(),
    ...INSIGHTS.map(([, path]) => settle(call("GET", path))),
  ]);
  shown = { days, stats, volume, insights: INSIGHTS.map((entry, i) => [entry, insights[i]]) };
  draw();
  if (!stats.ok) report(stats.error, status);
  else say(status, "");
}

function labelDays() {
  for (const option of byId("lead-days").options) option.textContent = t("days", { n: option.value });
}

export function redrawLead() {
  labelDays();
  if (shown) draw();
}

export function initLead() {
  labelDays();
  byId("lead-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadLead();
  });
}
