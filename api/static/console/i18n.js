// Interface text in English and Dutch; the browser's language decides until the agent switches.
const STRINGS = {
  en: {
    skip: "Skip to content",
    title: "Triage console",
    views: "Views",
    tabAgent: "Ticket",
    tabLead: "Team lead",
    language: "Language",
    keyLegend: "API key",
    keyLabel: "API key (kept in this browser tab only)",
    keyUse: "Use key",
    keyForget: "Forget key",
    keySet: "Key set for this tab.",
    keyNone: "No key yet.",
    keyChecking: "Checking the key…",
    ticketHeading: "New ticket",
    subject: "Subject",
    body: "Description",
    channel: "Channel (optional)",
    ticketLanguage: "Ticket language (optional)",
    unknown: "Not given",
    submit: "Triage",
    shortcut: "Ctrl+Enter submits from any field.",
    working: "Triaging…",
    needText: "Type a subject or a description first.",
    recentHeading: "Recent predictions",
    recentLoad: "Show recent predictions",
    recentEmpty: "No predictions yet.",
    recentOpen: "Open",
    reopened: "Reopened prediction of {when}. Similar tickets and articles were searched again now.",
    resultHeading: "Triage",
    ticketShown: "Ticket",
    predictionMeta: "Prediction {id} · model {model}",
    target_category: "Category",
    target_priority: "Priority",
    target_support_line: "Support line",
    confidence: "Confidence",
    action_auto: "Automatic",
    action_suggest: "Suggestion",
    action_review: "Needs review",
    actionHelp_auto: "Confident enough to apply automatically.",
    actionHelp_suggest: "Check the suggestions below.",
    actionHelp_review: "Not reliable: decide yourself.",
    reason: "Why",
    alternatives: "Alternatives",
    evidence: "{count} of the {of} most similar solved tickets: {label}",
    line: "{n}st line|{n}nd line|{n}rd line",
    correctTo: "Correct {target} to",
    correct: "Correct",
    correctedTo: "Corrected to {label}",
    accept: "Accept the prediction",
    acceptHelp: "Accepts every target as shown, including your corrections.",
    noLabels: "The model lists no labels for corrections.",
    similarHeading: "Similar solved tickets",
    similarNone: "No similar solved ticket found.",
    similarity: "Similarity {value}",
    resolvedOn: "Resolved {date}",
    solution: "Solution",
    noSolution: "No solution recorded.",
    solvedIt: "This solved it",
    kbHeading: "Knowledge-base articles",
    kbNone: "No knowledge-base article found.",
    score: "Relevance {value}",
    openArticle: "Read the whole article",
    notRelevant: "Not relevant",
    close: "Close",
    articleLoading: "Loading the article…",
    relevance_strong: "strong match",
    relevance_weak: "weak match",
    stored: "Stored (feedback {id}).",
    sending: "Sending…",
    warnings: "Warnings",
    leadHeading: "Team lead overview",
    period: "Production figures over",
    days: "{n} days",
    refresh: "Refresh",
    loading: "Loading…",
    volumeHeading: "Volume",
    today: "Today",
    thisWeek: "This week (since Monday)",
    tickets: "{n} tickets",
    byCategory: "By predicted category",
    byLine: "By predicted support line",
    daily: "Tickets per day, last 7 days",
    actionsHeading: "Actions",
    actionsCaption: "Share of predictions per action",
    precisionHeading: "Production precision at close",
    precisionCaption: "Predicted label equals the value when the ticket closed",
    judged: "{n} judged",
    autoPrecision: "Automatic only: {value} ({n} judged)",
    autoWorth: "automatic worth {value} per judged ticket ({wrong} wrong; one wrong counts as {ratio} right ones lost)",
    notJudged: "No closed tickets yet",
    kbAcceptHeading: "KB suggestion acceptance",
    kbAccept: "{value} of {n} rated articles helped",
    kbNoneRated: "No article rated yet",
    feedbackCounts: "Feedback: {accepted} accepted, {corrected} corrected, {rejected} rejected, {rated} ratings of similar tickets or articles",
    insightsHeading: "Insights",
    insightKpi: "KPIs",
    insightEmerging: "Emerging incidents",
    insightClusters: "Recurring issues",
    insightGaps: "KB gaps",
    insightAbsent: "Not available on this server.",
    insightEmpty: "Nothing to show.",
    err_nokey: "Enter an API key first. Create one with: triage keys create --scope triage --scope agent",
    err_unauthorized: "The API key was not accepted (wrong, mistyped or revoked). Check it, or create a new one with: triage keys create --scope triage --scope agent",
    err_forbidden: "This key may not do that. The server says: {detail}. Ask for a key with the scopes triage and agent (ticket view) or admin (team lead view).",
    err_notfound: "Not found: {detail}",
    err_validation: "The server refused the input: {detail}",
    err_toolarge: "The ticket is too long for the server. Shorten the description and try again.",
    err_overloaded: "The server is busy. Wait a few seconds and try again.",
    err_unready: "The server has no model loaded yet: {detail}",
    err_network: "The server cannot be reached. Check your connection and that the service runs, then try again.",
    err_server: "The server failed ({status}). Try again; if it persists, report request id {requestId}.",
  },
  nl: {
    skip: "Naar de inhoud",
    title: "Triageconsole",
    views: "Weergaven",
    tabAgent: "Melding",
    tabLead: "Teamleider",
    language: "Taal",
    keyLegend: "API-sleutel",
    keyLabel: "API-sleutel (alleen bewaard in dit tabblad)",
    keyUse: "Sleutel gebruiken",
    keyForget: "Sleutel vergeten",
    keySet: "Sleutel ingesteld voor dit tabblad.",
    keyNone: "Nog geen sleutel.",
    keyChecking: "Sleutel controleren…",
    ticketHeading: "Nieuwe melding",
    subject: "Onderwerp",
    body: "Omschrijving",
    channel: "Kanaal (optioneel)",
    ticketLanguage: "Taal van de melding (optioneel)",
    unknown: "Niet opgegeven",
    submit: "Triëren",
    shortcut: "Ctrl+Enter verstuurt vanuit elk veld.",
    working: "Bezig met triëren…",
    needText: "Vul eerst een onderwerp of omschrijving in.",
    recentHeading: "Recente voorspellingen",
    recentLoad: "Recente voorspellingen tonen",
    recentEmpty: "Nog geen voorspellingen.",
    recentOpen: "Openen",
    reopened: "Voorspelling van {when} heropend. Vergelijkbare meldingen en artikelen zijn nu opnieuw gezocht.",
    resultHeading: "Triage",
    ticketShown: "Melding",
    predictionMeta: "Voorspelling {id} · model {model}",
    target_category: "Categorie",
    target_priority: "Prioriteit",
    target_support_line: "Behandellijn",
    confidence: "Zekerheid",
    action_auto: "Automatisch",
    action_suggest: "Suggestie",
    action_review: "Beoordelen",
    actionHelp_auto: "Zeker genoeg om automatisch toe te passen.",
    actionHelp_suggest: "Controleer de suggesties hieronder.",
    actionHelp_review: "Niet betrouwbaar: beslis zelf.",
    reason: "Waarom",
    alternatives: "Alternatieven",
    evidence: "{count} van de {of} meest vergelijkbare opgeloste meldingen: {label}",
    line: "{n}e lijn|{n}e lijn|{n}e lijn",
    correctTo: "{target} corrigeren naar",
    correct: "Corrigeren",
    correctedTo: "Gecorrigeerd naar {label}",
    accept: "Voorspelling accepteren",
    acceptHelp: "Accepteert alles zoals getoond, inclusief uw correcties.",
    noLabels: "Het model geeft geen labels voor correcties.",
    similarHeading: "Vergelijkbare opgeloste meldingen",
    similarNone: "Geen vergelijkbare opgeloste melding gevonden.",
    similarity: "Gelijkenis {value}",
    resolvedOn: "Opgelost {date}",
    solution: "Oplossing",
    noSolution: "Geen oplossing vastgelegd.",
    solvedIt: "Dit loste het op",
    kbHeading: "Kennisbankartikelen",
    kbNone: "Geen kennisbankartikel gevonden.",
    score: "Relevantie {value}",
    openArticle: "Heel artikel lezen",
    notRelevant: "Niet relevant",
    close: "Sluiten",
    articleLoading: "Artikel laden…",
    relevance_strong: "sterke overeenkomst",
    relevance_weak: "zwakke overeenkomst",
    stored: "Opgeslagen (feedback {id}).",
    sending: "Versturen…",
    warnings: "Waarschuwingen",
    leadHeading: "Overzicht voor de teamleider",
    period: "Productiecijfers over",
    days: "{n} dagen",
    refresh: "Vernieuwen",
    loading: "Laden…",
    volumeHeading: "Volume",
    today: "Vandaag",
    thisWeek: "Deze week (vanaf maandag)",
    tickets: "{n} meldingen",
    byCategory: "Per voorspelde categorie",
    byLine: "Per voorspelde behandellijn",
    daily: "Meldingen per dag, laatste 7 dagen",
    actionsHeading: "Acties",
    actionsCaption: "Aandeel voorspellingen per actie",
    precisionHeading: "Precisie in productie bij sluiten",
    precisionCaption: "Voorspeld label gelijk aan de waarde bij het sluiten van de melding",
    judged: "{n} beoordeeld",
    autoPrecision: "Alleen automatisch: {value} ({n} beoordeeld)",
    autoWorth: "opbrengst automatisch {value} per beoordeelde melding ({wrong} fout; één fout weegt als {ratio} goede)",
    notJudged: "Nog geen gesloten meldingen",
    kbAcceptHeading: "Acceptatie van kennisbanksuggesties",
    kbAccept: "{value} van {n} beoordeelde artikelen hielp",
    kbNoneRated: "Nog geen artikel beoordeeld",
    feedbackCounts: "Feedback: {accepted} geaccepteerd, {corrected} gecorrigeerd, {rejected} afgewezen, {rated} beoordelingen van meldingen of artikelen",
    insightsHeading: "Inzichten",
    insightKpi: "KPI's",
    insightEmerging: "Opkomende storingen",
    insightClusters: "Terugkerende problemen",
    insightGaps: "Hiaten in de kennisbank",
    insightAbsent: "Niet beschikbaar op deze server.",
    insightEmpty: "Niets te tonen.",
    err_nokey: "Vul eerst een API-sleutel in. Maak er een met: triage keys create --scope triage --scope agent",
    err_unauthorized: "De API-sleutel is niet geaccepteerd (onjuist, verkeerd getypt of ingetrokken). Controleer hem of maak een nieuwe met: triage keys create --scope triage --scope agent",
    err_forbidden: "Deze sleutel mag dit niet. De server zegt: {detail}. Vraag een sleutel met de scopes triage en agent (meldingen) of admin (teamleider).",
    err_notfound: "Niet gevonden: {detail}",
    err_validation: "De server weigerde de invoer: {detail}",
    err_toolarge: "De melding is te lang voor de server. Kort de omschrijving in en probeer het opnieuw.",
    err_overloaded: "De server is druk. Wacht een paar seconden en probeer het opnieuw.",
    err_unready: "De server heeft nog geen model geladen: {detail}",
    err_network: "De server is niet bereikbaar. Controleer de verbinding en of de dienst draait, en probeer het opnieuw.",
    err_server: "De server gaf een fout ({status}). Probeer het opnieuw; blijft het, meld dan request-id {requestId}.",
  },
};

export const LANGUAGES = Object.keys(STRINGS);
const STORAGE = "triage.console.lang";
let current = "en";

/** The saved choice, else the browser's first supported language, else English. */
export function initialLanguage() {
  const saved = localStorage.getItem(STORAGE);
  if (saved && LANGUAGES.includes(saved)) return saved;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

export function language() {
  return current;
}

/** Switch the interface language (remembered in this browser) and relabel static text. */
export function setLanguage(lang, remember = false) {
  current = LANGUAGES.includes(lang) ? lang : "en";
  if (remember) localStorage.setItem(STORAGE, current);
  document.documentElement.lang = current;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      node.setAttribute(attr, t(key));
    }
  }
}

/** The text for `key` with `{name}` placeholders filled from `vars` (as plain text). */
export function t(key, vars = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** "2nd line" / "2e lijn" for a support line number; other values unchanged. */
export function lineName(value) {
  const n = Number(value);
  if (![1, 2, 3].includes(n)) return String(value);
  return t("line").split("|")[n - 1].replace("{n}", String(n));
}

/** A label for display: support lines get their name, other labels stay as the model has them. */
export function labelName(target, label) {
  return target === "support_line" ? lineName(label) : String(label);
}

export function percent(value) {
  return new Intl.NumberFormat(current, { style: "percent", maximumFractionDigits: 0 }).format(value);
}

export function number(value, digits = 2) {
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(value);
}

export function dateTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(when);
}

export function dateOnly(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, { dateStyle: "medium" }).format(when);
}

/** "Mon 1" for a calendar date "2026-12-01" (a day, not an instant: no time-zone shift). */
export function shortDay(isoDate) {
  const [y, m, d] = String(isoDate).split("-").map(Number);
  if (!y || !m || !d) return String(isoDate);
  return new Intl.DateTimeFormat(current, { weekday: "short", day: "numeric" }).format(new Date(y, m - 1, d));
}
