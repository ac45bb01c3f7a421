"""The harm taxonomy: categories, thresholds and floors, as data."""

from personaguard.taxonomy.load import load_taxonomy, taxonomy_from_text
from personaguard.taxonomy.schema import Category, Taxonomy

__all__ = ["Category", "Taxonomy", "load_taxonomy", "taxonomy_from_text"]
