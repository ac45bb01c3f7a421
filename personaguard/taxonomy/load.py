"""Loading taxonomy files: packaged default or a user's own, validated whole or not at all."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from personaguard.errors import ConfigError
from personaguard.taxonomy.schema import Taxonomy

__all__ = ["load_taxonomy", "load_yaml_model", "parse_yaml_model", "taxonomy_from_text"]

M = TypeVar("M", bound=BaseModel)


def parse_yaml_model(text: str, model: type[M], *, source: str) -> M:
    """Parse YAML (or JSON, a YAML subset) text into ``model``.

    Raises
    ------
    ConfigError
        Naming ``source`` and the field path of the first problem.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML/JSON: {exc}", source=source) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping at the top level, got {type(data).__name__}", source=source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(
            f"{err['msg']} ({len(exc.errors())} problem(s) in all)", source=source, loc=tuple(err["loc"])
        ) from exc


def load_yaml_model(model: type[M], *, package: str, name: str, path: str | os.PathLike[str] | None = None) -> M:
    """A data file as ``model``: the packaged ``package/name``, or the file at ``path``.

    Raises
    ------
    ConfigError
        The file cannot be read, or does not validate (the message names the file and field).
    """
    if path is None:
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        return parse_yaml_model(text, model, source=f"{package.replace('.', '/')}/{name}")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", source=str(path)) from exc
    return parse_yaml_model(text, model, source=str(path))


def taxonomy_from_text(text: str, *, source: str = "<text>") -> Taxonomy:
    """Build a taxonomy from YAML text (handy in tests).

    Examples
    --------
    >>> t = taxonomy_from_text('''
    ... version: 1
    ... name: tiny
    ... categories:
    ...   - {id: hate, name: Hate, definition: d, warn: 0.4, block: 0.7}
    ... ''')
    >>> t.ids
    ['hate']
    """
    return parse_yaml_model(text, Taxonomy, source=source)


def load_taxonomy(path: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Load a taxonomy file, or the packaged default when ``path`` is None.

    Raises
    ------
    ConfigError
        If the file cannot be read or does not validate (message names file and field).
    """
    if path is None:
        text = resources.files("personaguard.taxonomy").joinpath("default.yaml").read_text(encoding="utf-8")
        return taxonomy_from_text(text, source="personaguard/taxonomy/default.yaml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read taxonomy file: {exc}", source=str(p)) from exc
    return taxonomy_from_text(text, source=str(p))
