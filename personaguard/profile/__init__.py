"""Personalization: user profiles, the vulnerability knowledge base, personal risk."""
