"""The training config: strict, every bad field named, YAML round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.config import dump_config, load_config, parse_config
from triage.errors import ConfigError

CONFIGS = Path(__file__).resolve().parents[2] / "training" / "configs"


def test_config_default_yaml_is_valid() -> None:
    config = load_config(CONFIGS / "default.yaml")
    assert config.targets == ["category", "priority", "support_line"]
    assert config.policy.target_precision == 0.9
    assert ("category", "support_line") in config.policy.links


def test_config_unknown_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="featurs"):
        parse_config({"featurs": {}})


def test_config_wrong_type_is_refused_with_field_name() -> None:
    with pytest.raises(ConfigError, match=r"policy\.target_precision"):
        parse_config({"policy": {"target_precision": "high"}})


def test_config_unknown_target_is_refused() -> None:
    with pytest.raises(ConfigError, match="targets"):
        parse_config({"targets": ["category", "colour"]})


def test_config_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets: [category\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no such config"):
        load_config(tmp_path / "none.yaml")


def test_config_dump_round_trips(tmp_path: Path) -> None:
    config = parse_config({"targets": ["category"], "model": {"C": 2.0}})
    path = tmp_path / "c.yaml"
    path.write_text(dump_config(config))
    assert load_config(path) == config
    assert config.flat_params()["model.C"] == "2.0"


def test_config_refit_is_the_default_and_cross_fitting_is_off() -> None:
    for name in ("default.yaml", "tiny.yaml"):
        model = load_config(CONFIGS / name).model
        assert (model.refit, model.cross_fit_folds, model.calibration) == (True, 0, "refit")
    assert parse_config({"model": {"refit": False}}).model.calibration == "validation"
    assert parse_config({"model": {"cross_fit_folds": 3}}).model.calibration == "cross_fit"
    folds_and_refit = {"model": {"cross_fit_folds": 2, "refit": True}}
    assert parse_config(folds_and_refit).model.calibration == "cross_fit"  # folds take precedence


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"cross_fit_folds": -1}, r"model\.cross_fit_folds: .*greater than or equal to 0"),
        ({"cross_fit_folds": 21}, r"model\.cross_fit_folds: .*less than or equal to 20"),
        ({"cross_fit_folds": 1}, r"model\.cross_fit_folds: .*1 fold has no held-out rows"),
        (
            {"cross_fit_folds": 3, "refit": False},
            r"model\.refit: false contradicts model\.cross_fit_folds: 3",
        ),
        ({"refit": "yes"}, r"model\.refit: "),
    ],
)
def test_config_refit_and_folds_bad_combinations_are_refused(
    model: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"model": model})
