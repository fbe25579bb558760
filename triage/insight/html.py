"""The report as one self-contained HTML page: inline CSS and PNG charts, no script, no network."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from triage.insight import charts

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:70rem;color:#1a202c;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e2e8f0;padding-bottom:.2rem;margin-top:2.2rem}
.meta{color:#4a5568;font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.8rem}
.card{border:1px solid #e2e8f0;border-radius:.5rem;padding:.7rem}
.card .v{font-size:1.5rem;font-weight:600}.card .l{color:#4a5568;font-size:.85rem}
.na{color:#a0aec0;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.6rem 0}
th,td{border-bottom:1px solid #edf2f7;padding:.25rem .45rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f7fafc}
img{max-width:100%}details{margin:.4rem 0}pre{background:#f7fafc;padding:.6rem;
white-space:pre-wrap;font-size:.85rem}.up{color:#c53030}.down{color:#2f855a}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _pct(value: Any) -> str:
    return '<span class="na">n/a</span>' if value is None else f"{100 * float(value):.1f}%"


def _num(value: Any, digits: int = 1) -> str:
    return '<span class="na">n/a</span>' if value is None else f"{float(value):,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _card(label: str, value: str, detail: str = "") -> str:
    extra = f'<div class="l">{detail}</div>' if detail else ""
    head = f'<div class="l">{_e(label)}</div><div class="v">{value}</div>'
    return f'<div class="card">{head}{extra}</div>'


def _unavailable(kpi: dict[str, Any]) -> str:
    return f'<span class="na">unavailable: {_e(kpi.get("reason"))}</span>'


def _cards(kpis: dict[str, Any]) -> str:
    cards = [
        _card(
            "tickets",
            f"{kpis['volume']['tickets']:,}",
            f"{_num(kpis['volume'].get('per_day'))} per day",
        )
    ]
    for name, label in (
        ("response_time", "median first response"),
        ("resolution_time", "median resolution"),
    ):
        k = kpis[name]
        cards.append(
            _card(label, _unavailable(k))
            if not k["available"]
            else _card(
                label,
                f"{_num(k['median_h'])} h",
                f"p90 {_num(k['p90_h'])} h, within SLA {_pct(k['within_sla'])}",
            )
        )
    for name, label, key in (
        ("first_contact_resolution", "first-contact resolution", "rate"),
        ("escalation", "beyond first line", "rate"),
        ("reopened", "reopened", "rate"),
    ):
        k = kpis[name]
        cards.append(_card(label, _pct(k[key]) if k["available"] else _unavailable(k)))
    csat = kpis["csat"]
    cards.append(
        _card("CSAT (1-5)", _num(csat["mean"], 2), f"{csat['n']:,} answers")
        if csat["available"]
        else _card("CSAT (1-5)", _unavailable(csat))
    )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _sla(kpis: dict[str, Any]) -> str:
    rows = []
    for priority in ("P1", "P2", "P3", "P4"):
        row = [_e(priority)]
        for name in ("response_time", "resolution_time"):
            k = kpis[name]
            if not k["available"]:
                row += ['<span class="na">n/a</span>'] * 3
                continue
            p = k["by_priority"][priority]
            row += [_num(p["target_h"], 2), _num(p["median_h"], 2), _pct(p["within_sla"])]
        rows.append(row)
    header = [
        "priority",
        "response target h",
        "median h",
        "within",
        "resolution target h",
        "median h",
        "within",
    ]
    return _table(header, rows)


def _changes(changes: dict[str, Any]) -> str:
    if not changes["available"]:
        return f'<p class="na">{_e(changes["reason"])}</p>'
    rows = [
        [
            _e(f"{c['dimension']}: {c['value']}"),
            _e(c["measure"]),
            _e(c["before"]),
            _e(c["after"]),
            f'<span class="{"up" if c["z"] > 0 else "down"}">{c["z"]:+.1f}</span>',
        ]
        for c in changes["items"]
    ]
    intro = (
        f"<p>{_e(changes['before'])} compared with {_e(changes['after'])} "
        "(z: size of the change against chance).</p>"
    )
    return intro + _table(["where", "measure", "before", "after", "z"], rows)


_BREAKDOWN: list[tuple[str, str, Callable[[Any], str]]] = [
    ("tickets", "tickets", lambda v: _num(v, 0)),
    ("response_median_h", "median response h", _num),
    ("resolution_median_h", "median resolution h", _num),
    ("resolution_within_sla", "resolution SLA", _pct),
    ("fcr_rate", "FCR", _pct),
    ("escalation_rate", "beyond 1st line", _pct),
    ("reopened_rate", "reopened", _pct),
    ("csat_mean", "CSAT", lambda v: _num(v, 2)),
    ("time_spent_h", "hours spent", lambda v: _num(v, 0)),
]


def _breakdown(rows: list[dict[str, Any]], first: str) -> str:
    header = [first] + [label for _, label, _ in _BREAKDOWN]
    body = [[_e(r["value"])] + [fmt(r[key]) for key, _, fmt in _BREAKDOWN] for r in rows]
    return _table(header, body)


def _periods(rows: list[dict[str, Any]], last: int = 12) -> str:
    shown = rows[-last:]
    header = ["period"] + [label for _, label, _ in _BREAKDOWN]
    body = [
        [_e(r["period"] + ("" if r["complete"] else " (partial)"))]
        + [fmt(r[key]) for key, _, fmt in _BREAKDOWN]
        for r in shown
    ]
    return _table(header, body)


def _peaks(peaks: dict[str, Any], zone: str) -> str:
    if not peaks["available"]:
        return f'<p class="na">{_e(peaks["reason"])}</p>'
    busiest = "".join(
        f"<li>{_e(b['label'])}: {b['tickets_per_week']:.1f} tickets per week</li>"
        for b in peaks["busiest"]
    )
    image = f'<img alt="heatmap" src="{charts.heatmap(peaks, zone)}">'
    return f"{image}<p>Busiest hours ({_e(zone)}):</p><ul>{busiest}</ul>"


def _clusters(section: dict[str, Any]) -> str:
    if not section["available"]:
        return f'<p class="na">{_e(section["reason"])}</p>'
    rows = [
        [
            _e(c["name"]),
            _num(c["tickets"], 0),
            _pct(c["growth"]) if c["growth"] is not None else '<span class="na">n/a</span>',
            _num(c["time_spent_h"], 0),
            _e(f"{c['category']} ({_share(c['category_share'])})"),
            _e(c["kind"]),
            _e(c["kb"]["title"] if c.get("kb") else ""),
            _e(c["representative"]["subject"]),
        ]
        for c in section["items"][:40]
    ]
    intro = (
        f"<p>{section['sampled']:,} of {section['window_tickets']:,} tickets from "
        f"{_e(section['from'])} to {_e(section['to'])} clustered with "
        f"{_e(section['embedder'])}; {_pct(section['clustered_share'])} fell in a cluster. "
        "Ticket counts and hours are scaled from the sample.</p>"
    )
    header = [
        "issue (distinctive terms)",
        "tickets",
        "growth",
        "hours",
        "category",
        "kind",
        "best KB article",
        "representative ticket",
    ]
    return intro + _table(header, rows)


def _share(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.0f}%"


def _gaps(section: dict[str, Any]) -> str:
    if not section["available"]:
        return f'<p class="na">{_e(section["reason"])}</p>'
    if not section["items"]:
        return "<p>No KB gaps: every recurring issue has an article close to its tickets.</p>"
    parts = []
    for gap in section["items"]:
        kb = gap["kb"] or {}
        parts.append(
            f"<details><summary><b>{_e(gap['name'])}</b>: {_num(gap['tickets'], 0)} tickets, "
            f"{_num(gap['time_spent_h'], 0)} h; closest article {_e(kb.get('title'))} "
            f"(similarity {_num(kb.get('similarity'), 2)})</summary>"
            f"<pre>{_e(gap['draft']['markdown'])}</pre></details>"
        )
    return "".join(parts)


def _new_categories(section: dict[str, Any]) -> str:
    if not section["available"]:
        return f'<p class="na">{_e(section["reason"])}</p>'
    if not section["items"]:
        return "<p>No cluster whose tickets the classifier was mostly unsure of.</p>"
    rows = [
        [
            _e(c["name"]),
            _num(c["tickets"], 0),
            _pct(c["unsure_share"]),
            _e(c["category"]),
            _e(c["representative"]["subject"]),
        ]
        for c in section["items"]
    ]
    headers = ["candidate", "tickets", "classifier unsure", "recorded category", "representative"]
    return _table(headers, rows)


def render(report: dict[str, Any]) -> str:
    """The whole report (from `triage.insight.report.build_report`) as an HTML document."""
    meta, kpis = report["meta"], report["kpis"]
    zone = meta["config"]["timezone"]
    body = [
        "<h1>Service desk report</h1>"
        f"<p class='meta'>{_e(meta['source'])}: {meta['tickets']:,} tickets, "
        f"{_e(meta['from'])} to {_e(meta['to'])} ({_e(zone)}); data as of {_e(meta['as_of'])}; "
        f"per {_e(meta['period'])}; generated {_e(meta['generated_at'])}</p>",
        "<h2>Key figures</h2>",
        _cards(kpis),
        "<h2>SLA per priority</h2>",
        _sla(kpis),
        "<h2>What changed most</h2>",
        _changes(report["changes"]),
        "<h2>Trends</h2>",
        f'<img alt="trends" src="{charts.trends(report["periods"])}">',
        _periods(report["periods"]),
        "<h2>Peak moments</h2>",
        _peaks(report["peaks"], zone),
        "<h2>Distributions</h2>",
        _distributions(report),
        "<h2>Recurring issues</h2>",
        _clusters(report["clusters"]),
        "<h2>KB gaps</h2>",
        _gaps(report["kb_gaps"]),
        "<h2>Candidate new categories</h2>",
        _new_categories(report["new_categories"]),
        "<h2>By category, line, channel and priority</h2>",
        *[f"<h3>{_e(d)}</h3>{_breakdown(rows, d)}" for d, rows in report["by"].items()],
        _footnote(meta),
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Service desk report</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>"
    )


def _distributions(report: dict[str, Any]) -> str:
    kpis = report["kpis"]
    csat = kpis["csat"]["distribution"] if kpis["csat"]["available"] else None
    parts = []
    if report["distributions"].get("resolution"):
        parts.append(
            f'<img alt="distributions" src="{charts.distributions(report["distributions"], csat)}">'
        )
    spent = kpis["time_spent"]
    if spent["available"]:
        parts.append("<h3>Time spent per category</h3>")
        parts.append(f'<img alt="time spent" src="{charts.time_spent(spent["by_category"])}">')
    return "".join(parts) or '<p class="na">no resolution times or time spent recorded</p>'


def _footnote(meta: dict[str, Any]) -> str:
    config = meta["config"]
    missing = "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in meta["unavailable"].items())
    return (
        "<h2>Definitions</h2><ul>"
        "<li>Times are wall-clock hours from creation; SLA targets per priority "
        f"(response {_e(config['sla_response_hours'])}, "
        f"resolution {_e(config['sla_resolution_hours'])}); "
        "an open ticket older than its target counts as missed.</li>"
        f"<li>First-contact resolution: resolved within {_e(config['fcr_minutes'])} minutes "
        "of the first response, never reopened, not escalated, first line.</li>"
        "<li>Beyond first line: support line 2 or 3. Cancelled tickets count only in volume.</li>"
        "</ul>"
        + (
            f"<p>Unavailable (fields missing from the data):</p><ul>{missing}</ul>"
            if missing
            else ""
        )
    )
