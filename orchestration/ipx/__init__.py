"""ipx: the work-injury prevention data exchange (ingestion, warehouse, dashboard)."""

__version__ = "0.1.0"
