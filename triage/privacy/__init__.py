"""Redaction of personal data from ticket text, and keyed hashes for identifiers.

Rooms: `spans` (what a detector finds, placeholders, overlap resolution), `config` (what a
deployment redacts), the detectors `contact` (e-mail, phone), `numbers` (IBAN, BSN, card),
`network` (IP, host, URLs with secrets), `passwords` (pasted passwords), `names` (people),
`redactor` (`Redactor`, `redact_text`), `tickets` (`redact_ticket`) and `hashing` (HMAC-SHA256
pseudonyms). Import from the room: this package imports nothing.
"""
