"""Ingestion of agency deliveries into the raw layer (spec section 1)."""
