// What the views share: the loaded model's label sets, error messages that say what to do, alerts.
import { t } from "./i18n.js";
import { byId, say } from "./dom.js";

/** The loaded model as `GET /v1/model` describes it (null until a key with agent scope is set). */
export const session = { model: null };

/** The label set the model can predict for `target`, or [] when unknown. */
export function labelsFor(target) {
  const labels = session.model && session.model.manifest && session.model.manifest.labels;
  return labels && Array.isArray(labels[target]) ? labels[target].map(String) : [];
}

const KEY_PROBLEMS = new Set(["nokey", "unauthorized", "forbidden"]);

/** The message for a failed call, in the interface language. */
export function explain(error) {
  if (!error || !error.kind) return t("err_server", { status: "?", requestId: "-" });
  return t(`err_${error.kind}`, { detail: error.detail, status: error.status, requestId: error.requestId || "-" });
}

/** Show `error` in `node` (a status line); key problems also go to the page alert. */
export function report(error, node) {
  const message = explain(error);
  if (node) say(node, message, "error");
  if (error && KEY_PROBLEMS.has(error.kind)) showAlert(message);
  return message;
}

export function showAlert(message) {
  const alert = byId("alert");
  alert.textContent = message;
  alert.hidden = false;
}

export function clearAlert() {
  const alert = byId("alert");
  alert.textContent = "";
  alert.hidden = true;
}

/** A relevance badge ("strong" / "weak") when the server sends one; null otherwise. */
export function relevanceText(value) {
  return value === "strong" || value === "weak" ? t(`relevance_${value}`) : null;
}
