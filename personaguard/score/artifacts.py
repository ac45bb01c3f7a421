"""Reading and writing trained artifacts next to a manifest that pins their checksums."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import ConfigError

__all__ = ["packaged_artifacts_dir", "save_artifact", "load_artifact", "read_manifest", "record_file", "verified_file", "drop_artifact"]


def packaged_artifacts_dir() -> Path:
    """Folder of the artifacts shipped inside the package."""
    return Path(str(resources.files("personaguard.score").joinpath("artifacts")))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an artifact folder.

    Raises
    ------
    ConfigError
        If the manifest is missing or is not JSON.
    """
    path = folder / "manifest.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read the artifact manifest ({exc}); run `personaguard train` to create it",
            source=str(path),
        ) from exc
    return data


def save_artifact(folder: Path, name: str, arrays: dict[str, NDArray[Any]], meta: dict[str, Any]) -> None:
    """Write ``name`` (.npz) and record its checksum and metadata in the folder's manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.npz"
    np.savez_compressed(path, **arrays)
    manifest_path = folder / "manifest.json"
    manifest: dict[str, Any] = read_manifest(folder) if manifest_path.exists() else {"artifacts": {}}
    manifest.setdefault("artifacts", {})[name] = {"file": path.name, "sha256": _sha256(path), **meta}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load_artifact(folder: Path, name: str) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """Arrays and metadata of artifact ``name``, after checking its checksum.

    Raises
    ------
    ConfigError
        If the artifact is missing, not in the manifest, or its checksum differs.
    """
    manifest = read_manifest(folder)
    entry = manifest.get("artifacts", {}).get(name)
    if entry is None:
        raise ConfigError(f"artifact {name!r} is not in the manifest; run `personaguard train`", source=str(folder))
    path = folder / entry["file"]
    if not path.is_file():
        raise ConfigError(f"artifact file {entry['file']} is missing; run `personaguard train`", source=str(folder))
    if _sha256(path) != entry["sha256"]:
        raise ConfigError(
            f"checksum of {entry['file']} does not match the manifest; retrain or restore the file",
            source=str(folder),
        )
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return arrays, entry


def record_file(folder: Path, name: str, file: Path, meta: dict[str, Any]) -> None:
    """Record an artifact that is a file of its own (not .npz) with its checksum in the manifest."""
    manifest_path = folder / "manifest.json"
    manifest: dict[str, Any] = read_manifest(folder) if manifest_path.exists() else {"artifacts": {}}
    manifest.setdefault("artifacts", {})[name] = {"file": file.name, "sha256": _sha256(file), **meta}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def drop_artifact(folder: Path, name: str) -> None:
    """Remove artifact ``name`` from the manifest (and its file), if it is there."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return
    manifest = read_manifest(folder)
    entry = manifest.get("artifacts", {}).pop(name, None)
    if entry is not None:
        (folder / entry["file"]).unlink(missing_ok=True)
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def verified_file(folder: Path, name: str) -> Path | None:
    """The path of file artifact ``name`` after checking its checksum; None when the manifest has none.

    Raises
    ------
    ConfigError
        If the manifest names it but the file is missing or its checksum differs.
    """
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return None
    entry = read_manifest(folder).get("artifacts", {}).get(name)
    if entry is None:
        return None
    path: Path = folder / str(entry["file"])
    if not path.is_file() or _sha256(path) != entry["sha256"]:
        raise ConfigError(f"artifact {entry['file']} is missing or does not match its checksum in the manifest; "
                          "retrain or restore the file", source=str(folder))
    return path
