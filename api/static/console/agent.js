// The agent's view: type or reopen a ticket, see the triage, send feedback.
import { call } from "./api.js";
import { el, byId, clear, say } from "./dom.js";
import { t, dateTime, labelName } from "./i18n.js";
import { Feedback } from "./feedback.js";
import { renderResult, targetsOf } from "./result.js";
import { renderHits, hideHits } from "./hits.js";
import { report, clearAlert } from "./ui.js";

const SEARCH_CHARS = 2000; // GET /v1/similar and /v1/kb/search take at most this much text
let shown = null; // what is on screen: {result, similar, kb, feedback, subject, note}

function ticketFromForm() {
  const ticket = { subject: byId("subject").value.trim(), body: byId("body").value.trim() };
  if (byId("channel").value) ticket.channel = byId("channel").value;
  if (byId("ticket-lang").value) ticket.language = byId("ticket-lang").value;
  return ticket;
}

function show(view) {
  shown = view;
  renderResult(view.result, view.feedback, view);
  renderHits(view.similar, view.kb, view.feedback);
}

/** Draw what is on screen again (after the interface language changed). */
export function redraw() {
  if (shown) show(shown);
}

async function submitTicket(event) {
  event.preventDefault();
  const status = byId("ticket-status");
  const ticket = ticketFromForm();
  if (!ticket.subject && !ticket.body) {
    say(status, t("needText"), "error");
    byId("subject").focus();
    return;
  }
  const button = byId("submit");
  button.disabled = true;
  say(status, t("working"));
  try {
    const result = await call("POST", "v1/triage", { body: { ticket } });
    clearAlert();
    say(status, "");
    show({ result, similar: result.similar, kb: result.kb, feedback: new Feedback(result.prediction_id), subject: ticket.subject || ticket.body.slice(0, 120) });
    byId("result-heading").focus();
  } catch (error) {
    report(error, status); // the form keeps what was typed
  } finally {
    button.disabled = false;
  }
}

async function searchAgain(text) {
  const query = { q: text.slice(0, SEARCH_CHARS), k: 5 };
  const [similar, kb] = await Promise.allSettled([
    call("GET", "v1/similar", { query }),
    call("GET", "v1/kb/search", { query }),
  ]);
  return {
    similar: similar.status === "fulfilled" ? similar.value.similar : [],
    kb: kb.status === "fulfilled" ? kb.value.kb : [],
  };
}

async function reopen(record) {
  byId("subject").value = record.subject || "";
  byId("body").value = record.body || "";
  byId("channel").value = record.channel || "";
  byId("ticket-lang").value = ["nl", "en", "de"].includes(record.language) ? record.language : "";
  const result = { prediction_id: record.prediction_id, model_version: record.model_version, predictions: record.predictions, evidence: [], warnings: [] };
  const note = t("reopened", { when: dateTime(record.created_at) });
  const hits = await searchAgain(`${record.subject || ""}\n${record.body || ""}`.trim());
  show({ result, ...hits, feedback: new Feedback(record.prediction_id), subject: record.subject || record.body.slice(0, 120), note });
  byId("result-heading").focus();
}

function recentItem(record) {
  const subject = String(record.subject || record.body.slice(0, 120));
  const open = el("button", { type: "button", class: "secondary", "aria-label": `${t("recentOpen")}: ${subject}` }, t("recentOpen"));
  open.addEventListener("click", () => reopen(record));
  const labels = targetsOf(record.predictions).map((name) => labelName(name, record.predictions[name].label)).join(" · ");
  return el("li", {},
    el("p", { class: "recent-subject" }, subject),
    el("p", { class: "meta" }, `${dateTime(record.created_at)} · ${labels}`),
    open);
}

async function loadRecent() {
  const status = byId("recent-status");
  const list = clear(byId("recent-list"));
  say(status, t("loading"));
  try {
    const data = await call("GET", "v1/predictions", { query: { limit: 20 } });
    say(status, data.predictions.length ? "" : t("recentEmpty"));
    for (const record of data.predictions) list.append(recentItem(record));
  } catch (error) {
    report(error, status);
  }
}

function acceptShown() {
  if (shown) shown.feedback.accept(byId("accept"), byId("feedback-status"));
}

/** Wire the agent view's form, shortcut, recent list and accept button. */
export function initAgent() {
  const form = byId("ticket-form");
  form.addEventListener("submit", submitTicket);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  byId("recent-load").addEventListener("click", loadRecent);
  byId("accept").addEventListener("click", acceptShown);
  hideHits();
}
