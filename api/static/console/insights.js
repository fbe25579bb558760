// Insight endpoints whose exact shape this page does not assume: numbers become tiles, lists of
// items become a bar chart of their counts and a list of their names, everything as plain text.
import { el } from "./dom.js";
import { t, number } from "./i18n.js";
import { barChart } from "./charts.js";

const NAME_FIELDS = ["title", "label", "name", "summary", "description", "category", "top_words", "terms", "article_id", "id"];
const COUNT_FIELDS = ["count", "size", "tickets", "volume", "n", "total"];
const MAX_ITEMS = 10;

function scalarText(value) {
  if (typeof value === "number") return number(value);
  if (Array.isArray(value)) return value.filter((v) => typeof v !== "object").slice(0, 8).join(", ");
  return String(value);
}

function isScalar(value) {
  return ["number", "string", "boolean"].includes(typeof value);
}

function nameOf(item, index) {
  if (!item || typeof item !== "object") return scalarText(item);
  for (const field of NAME_FIELDS) {
    if (item[field] !== undefined && item[field] !== null && item[field] !== "") return scalarText(item[field]);
  }
  return `#${index + 1}`;
}

function countOf(item) {
  if (!item || typeof item !== "object") return null;
  const field = COUNT_FIELDS.find((f) => typeof item[f] === "number");
  return field ? item[field] : null;
}

function details(item) {
  if (!item || typeof item !== "object") return "";
  return Object.entries(item)
    .filter(([key, value]) => !NAME_FIELDS.slice(0, 3).includes(key) && (isScalar(value) || Array.isArray(value)))
    .slice(0, 6)
    .map(([key, value]) => `${key}: ${scalarText(value)}`)
    .join(" · ");
}

function itemList(items, caption) {
  const box = el("div", { class: "insight-list" });
  const top = items.slice(0, MAX_ITEMS);
  if (!top.length) return el("p", { class: "hint" }, t("insightEmpty"));
  const counted = top.map((item, i) => ({ label: nameOf(item, i), value: countOf(item) }));
  if (counted.every((r) => r.value !== null)) box.append(barChart(counted, { caption, format: (v) => number(v) }));
  box.append(el("ul", { class: "plain" }, ...top.map((item, i) => el("li", {}, el("strong", {}, nameOf(item, i)), details(item) ? ` — ${details(item)}` : ""))));
  return box;
}

function tiles(entries) {
  return el("dl", { class: "tiles" }, ...entries.map(([key, value]) => el("div", { class: "tile" }, el("dt", {}, key), el("dd", {}, scalarText(value)))));
}

/** Render any JSON an insight endpoint returns, defensively (unknown fields are shown as text). */
export function renderInsight(data) {
  if (Array.isArray(data)) return itemList(data, "");
  if (!data || typeof data !== "object") return el("p", {}, scalarText(data ?? "—"));
  const box = el("div", {});
  const flat = [];
  for (const [key, value] of Object.entries(data)) {
    if (isScalar(value)) flat.push([key, value]);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [sub, inner] of Object.entries(value)) if (isScalar(inner)) flat.push([`${key} · ${sub}`, inner]);
    }
  }
  if (flat.length) box.append(tiles(flat.slice(0, 24)));
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) box.append(el("h5", {}, key), itemList(value, key));
    // a part of its own (e.g. the clusters' `new_categories`): its list, when it has one
    else if (value && typeof value === "object" && Array.isArray(value.items) && value.available !== false) {
      box.append(el("h5", {}, key), itemList(value.items, key));
    }
  }
  if (!box.childNodes.length) box.append(el("p", { class: "hint" }, t("insightEmpty")));
  return box;
}
