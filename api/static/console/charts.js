// Small SVG charts drawn here (no library): lengths in percent, so they fit any width crisply.
import { svg, el } from "./dom.js";

const ROW = 34; // px per bar: the label line, then the bar

/** Horizontal bars, one per `{label, value}`; `format(value)` is the text shown beside each. */
export function barChart(rows, { caption, format = String, max } = {}) {
  const top = max ?? Math.max(1, ...rows.map((r) => r.value));
  const summary = rows.map((r) => `${r.label}: ${format(r.value)}`).join(", ");
  const chart = svg("svg", {
    class: "chart bars",
    width: "100%",
    height: String(Math.max(1, rows.length) * ROW),
    role: "img",
    "aria-label": `${caption}. ${summary}`,
  });
  rows.forEach((row, i) => {
    const y = i * ROW;
    const share = top > 0 ? Math.max(0, Math.min(1, row.value / top)) : 0;
    chart.append(
      svg("text", { x: "0", y: String(y + 13), class: "chart-label" }, row.label),
      svg("text", { x: "100%", y: String(y + 13), class: "chart-value", "text-anchor": "end" }, format(row.value)),
      svg("rect", { x: "0", y: String(y + 18), width: "100%", height: "10", class: "chart-track", rx: "2" }),
      svg("rect", { x: "0", y: String(y + 18), width: `${(share * 100).toFixed(2)}%`, height: "10", class: row.kind ? `chart-bar ${row.kind}` : "chart-bar", rx: "2" }),
    );
  });
  return figure(chart, caption);
}

/** Vertical columns for a short series (`{label, value}` in order), e.g. tickets per day. */
export function columnChart(rows, { caption, format = String } = {}) {
  const top = Math.max(1, ...rows.map((r) => r.value));
  const height = 140;
  const plot = height - 36;
  const slot = 100 / Math.max(1, rows.length);
  const chart = svg("svg", { class: "chart columns", width: "100%", height: String(height), role: "img", "aria-label": `${caption}. ${rows.map((r) => `${r.label}: ${format(r.value)}`).join(", ")}` });
  rows.forEach((row, i) => {
    const h = (row.value / top) * (plot - 16);
    const x = i * slot + slot * 0.15;
    const centre = `${(i * slot + slot / 2).toFixed(2)}%`;
    chart.append(
      svg("rect", { x: `${x.toFixed(2)}%`, y: String(plot - h), width: `${(slot * 0.7).toFixed(2)}%`, height: String(Math.max(h, 0)), class: "chart-bar", rx: "2" }),
      svg("text", { x: centre, y: String(plot - h - 4), class: "chart-value", "text-anchor": "middle" }, format(row.value)),
      svg("text", { x: centre, y: String(height - 14), class: "chart-label", "text-anchor": "middle" }, row.label),
    );
  });
  return figure(chart, caption);
}

/** One stacked bar per row of `{label, parts: [{name, value, kind}]}` (values are shares of 1),
 *  each followed by its parts in words, so colour is never the only cue. */
export function stackedChart(rows, { caption, format = String } = {}) {
  const box = el("div", { class: "stacks" });
  for (const row of rows) {
    const words = row.parts.map((p) => `${p.name} ${format(p.value)}`).join(" · ");
    const bar = svg("svg", { class: "chart stacked", width: "100%", height: "14", role: "img", "aria-label": `${row.label}: ${words}` });
    let x = 0;
    for (const part of row.parts) {
      const w = Math.max(0, part.value) * 100;
      bar.append(svg("rect", { x: `${x.toFixed(2)}%`, y: "0", width: `${w.toFixed(2)}%`, height: "14", class: `chart-bar ${part.kind}` }));
      x += w;
    }
    const legend = el("p", { class: "stack-parts" }, ...row.parts.map((p) => el("span", { class: `swatch-item` }, el("span", { class: `swatch ${p.kind}`, "aria-hidden": "true" }), `${p.name} ${format(p.value)}`)));
    box.append(el("div", { class: "stack-row" }, el("span", { class: "stack-label" }, row.label), bar, legend));
  }
  return el("figure", { class: "chart-figure" }, el("figcaption", {}, caption), box);
}

function figure(chart, caption) {
  return el("figure", { class: "chart-figure" }, el("figcaption", {}, caption), chart);
}
