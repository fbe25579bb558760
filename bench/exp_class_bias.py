"""Offline: on dumped held-out inputs (`exp_dump_held.py`), compare per blend the prior shift,
no shift and per-class biases (cross-fitted, so honest) against the baseline on validation.

    .venv/bin/python bench/exp_class_bias.py /tmp/held/it48k-0-*.npz
"""

from __future__ import annotations

import json
import sys

import numpy as np

from training.candidates import BLENDS
from triage.blend import VoteBlend, choose_prior_shift, cross_fitted_logits
from triage.class_bias import accuracy_and_macro_f1, cross_fitted_biases


def show(name: str, logits: np.ndarray, y: np.ndarray) -> None:
    acc, f1 = accuracy_and_macro_f1(logits, y)
    print(json.dumps({"variant": name, "accuracy": round(acc, 4), "macro_f1": round(f1, 4)}))


def main() -> int:
    for path in sys.argv[1:]:
        data = np.load(path)
        y = data["y"]
        known = y >= 0
        y = y[known]
        scores = data["scores"][known]
        votes = data["votes"][known] if "votes" in data else None
        text = data["text"][known] if "text" in data else None
        print(path, len(y), "rows", np.bincount(y).tolist())
        if text is not None:
            show("text", text, y)
            for drop in (0.0, 0.01):
                show(f"text+bias{drop}", cross_fitted_biases(text, y, drop)[0], y)
        for parts in BLENDS:
            if ("votes" in parts and votes is None) or ("text" in parts and text is None):
                continue
            v = votes if votes is not None else np.zeros_like(scores)
            logits = cross_fitted_logits(VoteBlend(parts=parts), scores, v, y, seed=0, text=text)
            g, shift = choose_prior_shift(logits, y)
            tag = "+".join(parts)
            show(f"{tag} g=0", logits, y)
            show(f"{tag} g={g}", logits + shift, y)
            for drop in (0.0, 0.005, 0.01, 0.02):
                show(f"{tag} g=0 bias{drop}", cross_fitted_biases(logits, y, drop)[0], y)
                show(f"{tag} g={g} bias{drop}", cross_fitted_biases(logits + shift, y, drop)[0], y)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
