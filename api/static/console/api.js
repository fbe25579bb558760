// Calls to the triage API with the agent's key from sessionStorage (sent as X-API-Key, never in a URL).
const KEY = "triage.console.apiKey";
// The API lives beside /console/: relative, so the console also works behind a path prefix.
const BASE = new URL("../", window.location.href);

export function apiKey() {
  return sessionStorage.getItem(KEY) || "";
}

export function setApiKey(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

/** A failed call, with a `kind` the page turns into a message that says what to do. */
export class ApiFailure extends Error {
  constructor(kind, status, detail, requestId) {
    super(detail || kind);
    this.kind = kind;
    this.status = status;
    this.detail = detail || "";
    this.requestId = requestId || "";
  }
}

const KINDS = { 401: "unauthorized", 403: "forbidden", 404: "notfound", 413: "toolarge", 422: "validation", 429: "overloaded", 503: "unready" };

async function failure(response) {
  let detail = "";
  try {
    const body = await response.json();
    detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? "");
  } catch {
    detail = response.statusText;
  }
  const kind = KINDS[response.status] || "server";
  return new ApiFailure(kind, response.status, detail, response.headers.get("x-request-id"));
}

/** JSON from `path` (e.g. "v1/model"); throws `ApiFailure`. `query` is an object of parameters. */
export async function call(method, path, { body, query, signal } = {}) {
  const key = apiKey();
  if (!key) throw new ApiFailure("nokey", 0, "");
  const url = new URL(path, BASE);
  for (const [name, value] of Object.entries(query || {})) url.searchParams.set(name, String(value));
  const headers = { "X-API-Key": key, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiFailure("network", 0, String(error));
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}
