"""The training configuration: a YAML file read into a strict pydantic model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from training.privacy_config import PrivacyConfig
from triage.errors import ConfigError
from triage.policy import DEFAULT_COST_RATIO
from triage.schema import TARGETS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FeatureConfig(_Strict):
    """Which feature blocks to use (see `triage.features.TicketFeaturizer`)."""

    word: bool = True
    char: bool = True
    embeddings: bool = False
    """The sentence embedding as linear features. Off by default: the embedding reaches the
    model through the neighbour votes (`model.neighbours`), which measured better on the 48k
    IT tickets than the same vectors as features (BENCHMARKS.md, Training)."""
    meta: bool = True
    embedding_weight: float = Field(1.0, gt=0)
    max_word_features: int = Field(200_000, gt=0)
    max_char_features: int = Field(300_000, gt=0)
    min_df: int = Field(2, ge=1)
    cues: bool = True
    """Impact and urgency cues (`triage.cues`): one 0/1 feature per family of phrasings."""
    sublinear_tf: bool = False
    """log(1 + tf) instead of raw counts. Off: on the 48k IT tickets' training part raw counts
    blended 0.3 points better (a repeated word there is a signal, BENCHMARKS.md)."""


class ModelConfig(_Strict):
    """The per-target linear classifier and its blend with neighbour votes."""

    kind: Literal["sgd_log", "logreg", "linear_svc"] = "sgd_log"
    C: float = Field(4.0, gt=0)
    """Inverse regularisation, as in scikit-learn's LogisticRegression; `sgd_log` uses
    alpha = 1 / (C * rows). 4 was chosen on the training parts of the 48k IT tickets, hadoop and
    the synthetic tickets (BENCHMARKS.md); `linear_svc` was used with 0.5 before 2026-12."""
    epochs: int = Field(30, gt=0, le=1000)
    """Passes over the data of `sgd_log` (unused by the others)."""
    class_weight: Literal["balanced"] | None = "balanced"
    max_iter: int = Field(2000, gt=0)
    neighbours: int = Field(30, ge=0, le=500)
    """k nearest training tickets (by embedding) whose labels vote; their similarity-weighted
    vote shares are blended with the linear scores per class (`triage.blend.VoteBlend`, fitted on
    held-out rows). 0: no neighbours, the linear model alone."""
    prior_shifts: list[float] = Field(
        default_factory=lambda: [0.0, 0.25, 0.5, 0.75, 1.0], min_length=1
    )
    """Strengths g of the blend's shift away from the classes' shares, `-g * log(share)`, tried
    on the held-out rows' cross-fitted logits; the one with the best mean of accuracy and
    macro-F1 is kept (`triage.blend.choose_prior_shift`). [0.0]: no shift (the log-loss fit
    alone, which favours frequent classes)."""
    class_biases: bool = False
    """After the prior shift, per-class logit biases for macro-F1 (`triage.class_bias`),
    cross-fitted on the held-out rows and kept only where they beat no biases there. Off: on the
    48k, hadoop and synthetic validation rows they lost to the prior shift alone (BENCHMARKS.md,
    "Beating the plain baseline")."""

    refit: bool = True
    """After the temperature and the per-class thresholds are chosen on the validation split
    (scores of the model fitted on the train split), refit the final classifier with the same
    hyper-parameters on train + validation and keep that temperature and those thresholds.
    False: the final classifier is the one fitted on the train split (the behaviour before
    2026-11-27). Must not be false together with `cross_fit_folds` >= 2."""
    cross_fit_folds: int = Field(0, ge=0, le=20)
    """0 (default): calibrate on the validation split (see `refit`). 2-20: cross-fitting instead:
    the validation split joins training, temperature and thresholds come from K-fold out-of-fold
    scores over all of it and the final classifier is fitted on all of it (its own refit)."""

    @field_validator("cross_fit_folds")
    @classmethod
    def _folds_not_one(cls, folds: int) -> int:
        if folds == 1:
            raise ValueError(
                "1 fold has no held-out rows; use 0 (calibrate on the validation split) "
                "or 2-20 (cross-fitting)"
            )
        return folds

    @model_validator(mode="after")
    def _refit_with_folds(self) -> ModelConfig:
        if self.cross_fit_folds >= 2 and not self.refit:
            raise ValueError(
                f"model.refit: false contradicts model.cross_fit_folds: {self.cross_fit_folds} "
                "(cross-fitting "
                "always fits the final model on train + validation); set cross_fit_folds: 0 to "
                "keep the model fitted on the train split, or drop refit: false"
            )
        return self

    @property
    def calibration(self) -> Literal["cross_fit", "refit", "validation"]:
        """Where temperature and thresholds come from, and which rows the final model sees.

        `cross_fit` (cross_fit_folds >= 2, takes precedence): out-of-fold scores over train +
        validation, final model on train + validation. `refit` (default): validation scores of
        the model fitted on train, final model refitted on train + validation. `validation`
        (refit false, folds 0): validation scores, final model = the one fitted on train.
        """
        if self.cross_fit_folds >= 2:
            return "cross_fit"
        return "refit" if self.refit else "validation"


class SplitConfig(_Strict):
    """How tickets are split; `time` uses created_at when every ticket has one, else stratified."""

    method: Literal["time", "stratified"] = "time"
    test_size: float = Field(0.2, gt=0, lt=1)
    val_size: float = Field(0.15, gt=0, lt=1)
    dedupe: bool = True


class PolicyConfig(_Strict):
    """Action policy, chosen on validation rows on the probabilities that are served.

    Per class the lowest confidence threshold at which `min_support` or more validation
    predictions reach `target_precision` (as a one-sided Wilson lower bound at
    `confidence_level`; null: as a point estimate), never below `min_confidence`; a class that
    cannot show it never auto-applies. With `cost_ratio` (a wrong auto costs that many right
    ones; null: off), of the thresholds that keep that promise each class gets the one where its
    validation predictions are worth most (right ones minus `cost_ratio` times wrong ones), and
    each target the margin worth most. Per target a near-tie margin (at least `min_margin`), and
    the familiarity guard (`familiarity_quantile` of validation tickets' nearest-training-ticket
    similarity; null: off). For `stress_targets`, a class's threshold must also reach the
    target on the familiar validation tickets in the lowest `stress_quantile` of that similarity
    alone (where they hold `min_support` predictions of it; null: off): real tickets are less
    like the training data than generated validation tickets, so the promise is checked where
    validation looks most like them.
    """

    target_precision: float = Field(0.9, gt=0, le=1)
    min_support: int = Field(20, ge=1)
    confidence_level: float | None = Field(0.95, ge=0.5, lt=1)
    min_confidence: float = Field(0.5, ge=0, le=1)
    cost_ratio: float | None = Field(DEFAULT_COST_RATIO, gt=0)
    min_margin: float = Field(0.05, ge=0, le=1)
    familiarity_quantile: float | None = Field(0.01, ge=0, lt=0.5)
    stress_quantile: float | None = Field(None, gt=0, lt=1)
    stress_targets: list[str] = ["support_line"]
    suggest_mass: float = Field(0.5, ge=0, le=1)
    links: list[tuple[str, str]] = [("category", "support_line"), ("category", "priority")]
    link_min_share: float = Field(0.01, ge=0, lt=1)


class TrackingConfig(_Strict):
    """MLflow: `tracking_uri` None means `sqlite:///<repo>/mlruns/mlflow.db`."""

    tracking_uri: str | None = None
    experiment: str = "triage"
    model_name: str = "triage"
    promote_tolerance: float = Field(0.01, ge=0, lt=1)
    log_pyfunc: bool = True


TargetName = Literal["category", "priority", "support_line"]


class TrainConfig(_Strict):
    """Everything `triage train` needs besides the data."""

    targets: list[TargetName] = Field(default_factory=lambda: cast(list[TargetName], list(TARGETS)))
    min_examples_per_class: int = Field(5, ge=1)
    min_examples_per_target: int = Field(30, ge=2)
    embedder: str = "minilm"
    embedding_cache: str | None = ".cache/embeddings"
    seed: int = 0
    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    split: SplitConfig = SplitConfig()
    policy: PolicyConfig = PolicyConfig()
    tracking: TrackingConfig = TrackingConfig()
    baselines: bool = True
    retrieval: bool = True
    """Build the similar-ticket index into the bundle (when `triage.retrieval` is installed)."""
    privacy: PrivacyConfig = PrivacyConfig()
    """Redaction before the split, retention, the pseudonym secret (`privacy_config.py`)."""

    @model_validator(mode="after")
    def _targets_known(self) -> TrainConfig:
        if not self.targets:
            raise ValueError(
                "targets is empty; list at least one of category, priority, support_line"
            )
        if len(set(self.targets)) != len(self.targets):
            raise ValueError("targets lists a target twice")
        return self

    def resolved(self) -> dict[str, Any]:
        """Plain dict of every setting (defaults included), JSON/YAML-safe."""
        return self.model_dump(mode="json")

    def flat_params(self) -> dict[str, str]:
        """Dotted keys to strings, for MLflow params."""
        return {k: str(v) for k, v in _flatten(self.resolved()).items()}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _from_yaml_compatible(data: dict[str, Any]) -> dict[str, Any]:
    """YAML has no tuples: turn policy.links lists into tuples before strict validation."""
    policy = data.get("policy")
    if isinstance(policy, dict) and isinstance(policy.get("links"), list):
        policy = {
            **policy,
            "links": [tuple(x) if isinstance(x, list) else x for x in policy["links"]],
        }
        data = {**data, "policy": policy}
    return data


def parse_config(data: dict[str, Any], source: str = "config") -> TrainConfig:
    """A `TrainConfig` from a plain dict; `ConfigError` naming every bad field."""
    try:
        return TrainConfig.model_validate(_from_yaml_compatible(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None


def load_config(path: Path) -> TrainConfig:
    """Read and validate a YAML training config."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file; see training/configs/default.yaml")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of settings, got {type(data).__name__}")
    return parse_config(data, str(path))


def dump_config(config: TrainConfig) -> str:
    """The resolved config as YAML (what is logged to MLflow)."""
    return yaml.safe_dump(config.resolved(), sort_keys=False)
