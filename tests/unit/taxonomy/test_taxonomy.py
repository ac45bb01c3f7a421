import pytest

from personaguard.errors import ConfigError, UnknownIdError
from personaguard.taxonomy import load_taxonomy, taxonomy_from_text

REQUIRED = [
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
    "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
    "cbrne", "privacy", "jailbreak",
]

GOOD = """
version: 1
name: t
categories:
  - {id: hate, name: Hate, definition: d, warn: 0.4, block: 0.7}
"""


def test_default_taxonomy_has_required_categories_and_floors() -> None:
    tax = load_taxonomy()
    assert tax.ids == REQUIRED
    floors = {c.id for c in tax.categories if c.floor}
    assert floors == {"sexual/minors", "cbrne"}
    assert tax.get("hate").openai == ["hate"]


def test_every_category_maps_to_openai_or_mlcommons() -> None:
    for c in load_taxonomy().categories:
        assert c.openai or c.mlcommons or c.id == "jailbreak", c.id


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (GOOD.replace("block: 0.7}", "block: 0.7, colour: red}"), "colour"),
        (GOOD.replace("warn: 0.4", "warn: 1.4"), "warn"),
        (GOOD.replace("warn: 0.4", "warn: 0.9"), "categories.0"),
        (GOOD + "  - {id: hate, name: Hate2, definition: d, warn: 0.4, block: 0.7}\n", "duplicate"),
        (GOOD.replace("id: hate", "id: Hate Speech"), "categories.0.id"),
    ],
)
def test_invalid_taxonomy_names_the_field(bad: str, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        taxonomy_from_text(bad, source="my.yaml")
    assert "my.yaml" in str(err.value)
    assert field in str(err.value), str(err.value)


def test_user_taxonomy_file_is_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tax.yaml"
    path.write_text(GOOD)
    assert load_taxonomy(path).ids == ["hate"]


def test_missing_file_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="cannot read"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_unknown_category_lookup_names_it() -> None:
    with pytest.raises(UnknownIdError, match="weather"):
        load_taxonomy().get("weather")
