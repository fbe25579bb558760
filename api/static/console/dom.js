// The only way the console builds elements: text always goes in through textContent, never as HTML.
const SVG_NS = "http://www.w3.org/2000/svg";

function assign(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`event handler attribute ${name}: use addEventListener`);
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** `el("p", {class: "x"}, "text", child)`: strings become text nodes, so data never parses. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  assign(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element, built the same way. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  assign(node, attrs);
  append(node, children);
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

/** A status line in a live region, optionally marked as an error. */
export function say(node, text, kind = "info") {
  node.textContent = text;
  node.dataset.kind = kind;
}
