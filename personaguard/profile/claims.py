"""What a profile claims about its user: an age band and vulnerabilities with evidence.

The parser produces these and the profile holds them; both import them from here, so the
parser never imports the profile module (which imports the parser to build a profile from text).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AGE_BAND_VULNERABILITIES", "AgeBand", "VulnerabilityClaim"]


class AgeBand(StrEnum):
    """Age band of the user; ``child`` (< 13) and ``teen`` (13-17) are minors."""

    CHILD = "child"
    TEEN = "teen"
    ADULT = "adult"
    SENIOR = "senior"

    @property
    def is_minor(self) -> bool:
        """True for ``child`` and ``teen``."""
        return self in (AgeBand.CHILD, AgeBand.TEEN)


#: Knowledge-base entries implied by an age band when the profile does not list them.
AGE_BAND_VULNERABILITIES: dict[str, tuple[str, ...]] = {
    "child": ("minor", "child"), "teen": ("minor",), "senior": ("elderly",), "adult": ()
}


class VulnerabilityClaim(BaseModel):
    """A vulnerability the user has, with how sure we are and where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Id of an entry in the vulnerability knowledge base.")
    confidence: float = Field(default=1.0, ge=0.0, le=1.0, description="w_v: 1.0 when stated explicitly.")
    evidence: str = Field(default="", description="The words of the self-description it was parsed from.")
    span: tuple[int, int] | None = Field(default=None, description="Character span of the evidence in self_description.")
