// Similar solved tickets and KB articles, with one-click feedback, and the whole article on demand.
import { call } from "./api.js";
import { el, byId, clear } from "./dom.js";
import { t, number, dateOnly, lineName } from "./i18n.js";
import { explain, relevanceText } from "./ui.js";

function statusSpan() {
  return el("span", { class: "status", role: "status", "aria-live": "polite" });
}

function badge(relevance) {
  const text = relevanceText(relevance);
  return text ? el("span", { class: `badge relevance-${relevance}` }, text) : null;
}

function metaLine(...parts) {
  const kept = parts.filter((p) => p !== null && p !== undefined && p !== "");
  const line = el("p", { class: "meta" });
  kept.forEach((part, i) => line.append(...(i ? [" · ", part] : [part])));
  return line;
}

function similarItem(hit, feedback) {
  const status = statusSpan();
  const solved = el("button", { type: "button", class: "secondary", "aria-label": `${t("solvedIt")}: ${hit.ticket_id}` }, t("solvedIt"));
  solved.disabled = feedback.done.has(`ticket:${hit.ticket_id}`);
  solved.addEventListener("click", () => feedback.solvedBy(String(hit.ticket_id), solved, status));
  const solution = hit.solution ? el("p", { class: "solution" }, String(hit.solution)) : el("p", { class: "hint" }, t("noSolution"));
  return el("li", { class: "hit" },
    el("p", { class: "hit-head" }, el("span", { class: "hit-id" }, String(hit.ticket_id)), " ", String(hit.subject || "")),
    metaLine(
      t("similarity", { value: number(hit.similarity) }),
      badge(hit.relevance),
      hit.resolved_at ? t("resolvedOn", { date: dateOnly(hit.resolved_at) }) : null,
      hit.category ? String(hit.category) : null,
      hit.support_line ? lineName(hit.support_line) : null),
    el("details", {}, el("summary", {}, t("solution")), solution),
    el("div", { class: "row" }, solved, status));
}

function kbItem(hit, feedback) {
  const status = statusSpan();
  const open = el("button", { type: "button", class: "link", "aria-haspopup": "dialog" }, String(hit.title || hit.article_id));
  open.addEventListener("click", () => openArticle(String(hit.article_id), open));
  const name = String(hit.title || hit.article_id);
  const helped = el("button", { type: "button", class: "secondary", "aria-label": `${t("solvedIt")}: ${name}` }, t("solvedIt"));
  const dismiss = el("button", { type: "button", class: "secondary", "aria-label": `${t("notRelevant")}: ${name}` }, t("notRelevant"));
  helped.disabled = dismiss.disabled = feedback.done.has(`kb:${hit.article_id}`);
  helped.addEventListener("click", async () => {
    if (await feedback.rateArticle(String(hit.article_id), true, helped, status)) dismiss.disabled = true;
  });
  dismiss.addEventListener("click", async () => {
    if (await feedback.rateArticle(String(hit.article_id), false, dismiss, status)) helped.disabled = true;
  });
  return el("li", { class: "hit" },
    el("p", { class: "hit-head" }, el("span", { class: "hit-id" }, String(hit.article_id)), " ", open),
    metaLine(t("score", { value: number(hit.score) }), badge(hit.relevance)),
    el("p", { class: "snippet" }, String(hit.snippet || "")),
    el("div", { class: "row" }, helped, dismiss, status));
}

function fill(sectionId, listId, hits, item, empty) {
  byId(sectionId).hidden = false;
  const list = clear(byId(listId));
  if (!hits.length) list.append(el("li", { class: "hint" }, empty));
  for (const hit of hits) list.append(item(hit));
}

/** Show similar tickets and KB articles (arrays from the API; absent fields are skipped). */
export function renderHits(similar, kb, feedback) {
  fill("similar-section", "similar", similar || [], (h) => similarItem(h, feedback), t("similarNone"));
  fill("kb-section", "kb", kb || [], (h) => kbItem(h, feedback), t("kbNone"));
}

export function hideHits() {
  byId("similar-section").hidden = true;
  byId("kb-section").hidden = true;
}

/** The whole article in a modal dialog (Escape closes it; focus returns to `trigger`). */
async function openArticle(articleId, trigger) {
  const dialog = byId("article-dialog");
  byId("article-title").textContent = articleId;
  byId("article-meta").textContent = "";
  const body = clear(byId("article-body"));
  body.append(el("p", { class: "hint" }, t("articleLoading")));
  dialog.addEventListener("close", () => trigger.focus(), { once: true });
  if (!dialog.open) dialog.showModal();
  try {
    const article = await call("GET", `v1/kb/articles/${encodeURIComponent(articleId)}`);
    byId("article-title").textContent = String(article.title || articleId);
    const parts = [article.article_id, article.category, article.language, article.updated_at ? dateOnly(article.updated_at) : null];
    byId("article-meta").textContent = parts.filter(Boolean).join(" · ");
    clear(body).append(el("p", { class: "article-text" }, String(article.body || "")));
  } catch (error) {
    clear(body).append(el("p", { class: "status", "data-kind": "error" }, explain(error)));
  }
}
