"""IP addresses, host names, and URLs that carry a token, a key or a password."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

from triage.privacy.contact import VERSION_CUE
from triage.privacy.spans import Kind, Span

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]{1,4}:){7})[0-9A-Fa-f:.]{2,45}")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
# Host-like tokens: a first label of letters and digits with dashes (`srv-fin-07`, `LT-04512`,
# `pc123`), dotted labels allowed (`dc01.rivierstad.local`); kept only with a digit in the first
# label or an internal domain suffix, so `e-mail` and `wifi-netwerk` are no hosts.
_HOST = re.compile(
    r"(?<![\w.@/-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\.[a-z0-9][a-z0-9-]*)*(?![\w@-]|\.\w)",
    re.IGNORECASE,
)
_TICKET_ID = re.compile(r"[A-Z]+(?:-\d+)+")
"""`INC-2025-000042`, `HADOOP-1234`: ticket and issue ids, never hosts."""
_INTERNAL_SUFFIX = (".local", ".lan", ".intern", ".internal", ".corp", ".ad", ".home.arpa")
_KEYS = """
    token access_token id_token refresh_token key apikey api_key sig signature code password
    passwd pwd pass secret client_secret session sessionid sid auth otp ticket reset_token jwt
    saml samlresponse
    """
_SECRET_KEYS = frozenset(_KEYS.split())
_OPAQUE = re.compile(r"[A-Za-z0-9_\-]{32,}")
"""A path segment this long and opaque is a capability (a reset link, a share link)..."""
_HEX = re.compile(r"[0-9a-fA-F]+")
"""...unless it is hexadecimal: commit, blob and gist ids in links to code (hadoop_bugs)."""


def find_ips(text: str) -> Iterator[Span]:
    """IPv4 (with an optional /prefix) and IPv6 addresses that `ipaddress` accepts."""
    for match in _IPV4.finditer(text):
        address = match.group(0).split("/")[0]
        before = text[max(match.start() - 12, 0) : match.start()]
        if _is_ip(address) and not address.startswith("0.") and not VERSION_CUE.search(before):
            yield Span(match.start(), match.end(), Kind.IP)
    for match in _IPV6.finditer(text):
        candidate = match.group(0).rstrip(".:")
        if candidate.count(":") >= 2 and _is_ip(candidate):
            yield Span(match.start(), match.start() + len(candidate), Kind.IP)


def _is_ip(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def find_hosts(text: str) -> Iterator[Span]:
    """Host-like names (`srv-fin-07`, `LT-04512`, `dc01.rivierstad.local`). Off by default:
    they name machines, not people, and make IT tickets findable."""
    for match in _HOST.finditer(text):
        name = match.group(0)
        first = name.split(".")[0]
        if _TICKET_ID.fullmatch(name):
            continue
        if (any(c.isdigit() for c in first) and len(first) >= 4) or (
            "." in name and name.lower().endswith(_INTERNAL_SUFFIX)
        ):
            yield Span(match.start(), match.end(), Kind.HOST)


def find_secret_urls(text: str) -> Iterator[Span]:
    """URLs with credentials (`user:pw@`), a secret-looking query parameter (`token=`, `sig=`,
    `code=`, `password=`, `session=`, ...) or an opaque 32+ character path segment. Plain
    URLs stay: they point at intranet pages and KB articles, not at a person."""
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)]}")
        if _carries_secret(url):
            yield Span(match.start(), match.start() + len(url), Kind.URL)


def _carries_secret(url: str) -> bool:
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:
        return True  # malformed: redact rather than guess
    if parts.password or "@" in parts.netloc:
        return True
    params = parse_qsl(parts.query, keep_blank_values=True) + parse_qsl(parts.fragment)
    if any(k.lower().replace("-", "_") in _SECRET_KEYS for k, _ in params):
        return True
    return any(_is_token(seg) for seg in parts.path.split("/"))


def _is_token(segment: str) -> bool:
    """Long, opaque and not a slug (`hadoop-qbt-trunk-java8-linux-x86_64`) nor hexadecimal."""
    if not _OPAQUE.fullmatch(segment) or _HEX.fullmatch(segment):
        return False
    separators = segment.count("-") + segment.count("_")
    return separators <= 2 and any(c.isdigit() for c in segment)
