// Start-up: interface language, the API key of this tab, the two views (#agent, #lead).
import { apiKey, setApiKey, call } from "./api.js";
import { byId, say } from "./dom.js";
import { t, initialLanguage, setLanguage, language } from "./i18n.js";
import { session, report, clearAlert } from "./ui.js";
import { initAgent, redraw } from "./agent.js";
import { initLead, loadLead, redrawLead } from "./lead.js";

function currentView() {
  return window.location.hash === "#lead" ? "lead" : "agent";
}

function showView(focus) {
  const view = currentView();
  byId("view-agent").hidden = view !== "agent";
  byId("view-lead").hidden = view !== "lead";
  for (const name of ["agent", "lead"]) {
    const tab = byId(`tab-${name}`);
    if (name === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  if (view === "lead" && apiKey()) loadLead();
  else if (view === "lead") say(byId("lead-status"), t("err_nokey"), "error");
  if (focus) byId(view === "lead" ? "lead-heading" : "ticket-heading").focus();
}

/** Check the tab's key against GET /v1/model (agent scope) and keep the model's label sets. */
async function checkKey() {
  const status = byId("key-status");
  if (!apiKey()) {
    say(status, t("keyNone"));
    return;
  }
  say(status, t("keyChecking"));
  try {
    session.model = await call("GET", "v1/model");
    clearAlert();
    keyStatusText();
  } catch (error) {
    session.model = null;
    if (error.kind === "unauthorized") setApiKey(""); // never keep a key the server refused
    report(error, status);
  }
}

function initKeyForm() {
  const input = byId("api-key");
  byId("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    setApiKey(input.value.trim());
    await checkKey();
    if (apiKey()) {
      input.value = "";
      if (currentView() === "lead") loadLead();
    }
  });
  byId("key-forget").addEventListener("click", () => {
    setApiKey("");
    session.model = null;
    input.value = "";
    say(byId("key-status"), t("keyNone"));
  });
}

function initLanguage() {
  const select = byId("lang");
  setLanguage(initialLanguage());
  select.value = language();
  select.addEventListener("change", () => {
    setLanguage(select.value, true);
    keyStatusText();
    redraw();
    redrawLead();
  });
}

function keyStatusText() {
  const status = byId("key-status");
  if (!apiKey()) say(status, t("keyNone"));
  else if (session.model) say(status, `${t("keySet")} (model ${session.model.version})`, "ok");
}

function start() {
  initLanguage();
  initKeyForm();
  initAgent();
  initLead();
  window.addEventListener("hashchange", () => showView(true));
  showView(false);
  checkKey();
}

start();
