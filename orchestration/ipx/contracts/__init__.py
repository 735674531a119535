"""Feed contracts: one declarative YAML file per feed is the single source for parsing,
validation, the raw table's schema and the feed's expectation suite."""

from ipx.contracts.model import Column, FeedCheck, FeedContract, contract_for, load_contracts

__all__ = ["Column", "FeedCheck", "FeedContract", "load_contracts", "contract_for"]
