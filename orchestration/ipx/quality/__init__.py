"""Data checks: expectation suites derived from the feed contracts, and the ledger's
conservation rule (every record that arrived is loaded, rejected or inside a quarantined file)."""
