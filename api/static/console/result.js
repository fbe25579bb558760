// The triage of one ticket: a card per target with confidence, action, reason, alternatives,
// neighbour evidence and a correction from the model's own labels.
import { el, byId, clear, say } from "./dom.js";
import { t, labelName, percent } from "./i18n.js";
import { labelsFor } from "./ui.js";

const ORDER = ["category", "priority", "support_line"];
const ACTIONS = new Set(["auto", "suggest", "review"]);

export function targetsOf(predictions) {
  const names = Object.keys(predictions || {});
  return [...ORDER.filter((n) => names.includes(n)), ...names.filter((n) => !ORDER.includes(n)).sort()];
}

function targetName(target) {
  const key = `target_${target}`;
  const text = t(key);
  return text === key ? target : text;
}

function confidenceBar(value) {
  const share = Math.max(0, Math.min(1, Number(value) || 0));
  const fill = el("span", { class: "meter-fill" });
  fill.style.width = `${(share * 100).toFixed(1)}%`; // CSSOM, allowed under style-src 'self'
  return el("div", { class: "confidence" },
    el("span", { class: "meter", "aria-hidden": "true" }, fill),
    el("span", { class: "meter-text" }, `${t("confidence")} ${percent(share)}`));
}

function actionBadge(action) {
  const known = ACTIONS.has(action) ? action : "review";
  return el("p", { class: "action-line" },
    el("span", { class: `badge action-${known}` }, t(`action_${known}`)),
    " ",
    el("span", { class: "hint" }, t(`actionHelp_${known}`)));
}

function reasonLine(pred) {
  if (!pred.reason || pred.action === "auto") return null;
  return el("p", { class: "reason" }, el("strong", {}, `${t("reason")}: `), String(pred.reason));
}

function alternativesList(target, pred) {
  const others = (pred.alternatives || []).filter((a) => a && a.label !== undefined && String(a.label) !== String(pred.label));
  if (!others.length) return null;
  return el("div", { class: "alternatives" },
    el("p", { class: "small-heading" }, t("alternatives")),
    el("ul", {}, ...others.map((a) => el("li", {}, `${labelName(target, a.label)} · ${percent(a.confidence)}`))));
}

function evidenceLine(target, evidence) {
  const vote = (evidence || []).find((e) => e && e.target === target);
  if (!vote) return null;
  return el("p", { class: "evidence" }, t("evidence", { count: vote.count, of: vote.of, label: labelName(target, vote.label) }));
}

function correction(target, pred, feedback, shown) {
  const labels = labelsFor(target);
  if (!labels.length) return el("p", { class: "hint" }, t("noLabels"));
  const id = `correct-${target}`;
  const select = el("select", { id }, ...labels.map((l) => el("option", { value: l }, labelName(target, l))));
  select.value = feedback.corrections[target] ?? String(pred.label);
  const status = el("span", { class: "status", role: "status", "aria-live": "polite" });
  const button = el("button", { type: "button", class: "secondary", "aria-label": `${t("correct")}: ${targetName(target)}` }, t("correct"));
  button.addEventListener("click", async () => {
    if (await feedback.correct(target, select.value, String(pred.label), button, status)) {
      const now = feedback.corrections[target];
      shown.textContent = now ? t("correctedTo", { label: labelName(target, now) }) : "";
    }
  });
  return el("div", { class: "correct" },
    el("label", { for: id }, t("correctTo", { target: targetName(target) })),
    el("div", { class: "row" }, select, button), status);
}

function targetCard(target, pred, evidence, feedback) {
  const corrected = feedback.corrections[target];
  const shown = el("p", { class: "corrected" }, corrected ? t("correctedTo", { label: labelName(target, corrected) }) : "");
  return el("article", { class: `target action-${pred.action}`, "data-target": target, "aria-label": targetName(target) },
    el("h3", {}, targetName(target)),
    el("p", { class: "label" }, labelName(target, pred.label)),
    shown,
    confidenceBar(pred.confidence),
    actionBadge(pred.action),
    reasonLine(pred),
    evidenceLine(target, evidence),
    alternativesList(target, pred),
    correction(target, pred, feedback, shown));
}

/** Fill the result card for `result` (a /v1/triage response, or a reopened stored prediction). */
export function renderResult(result, feedback, { subject, note } = {}) {
  byId("result").hidden = false;
  byId("result-ticket").textContent = subject ? `${t("ticketShown")}: ${subject}` : "";
  byId("result-meta").textContent = t("predictionMeta", { id: result.prediction_id, model: result.model_version });
  const noteNode = byId("result-note");
  noteNode.hidden = !note;
  noteNode.textContent = note || "";
  const warnings = clear(byId("result-warnings"));
  for (const w of result.warnings || []) warnings.append(el("li", {}, String(w)));
  const targets = clear(byId("targets"));
  for (const target of targetsOf(result.predictions)) {
    targets.append(targetCard(target, result.predictions[target], result.evidence, feedback));
  }
  say(byId("feedback-status"), "");
}
