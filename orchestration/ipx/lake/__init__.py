"""The lake: raw feeds, rejected records and the ingestion ledger as Parquet in a Hive layout,
for an engine that cannot read the DuckDB warehouse file (Spark). See :mod:`ipx.lake.export`."""

from ipx.lake.export import LakeError, LakeExport, export_lake, lake_tables, spark_table_specs
from ipx.lake.spark_types import UnsupportedType, lake_type, spark_type

__all__ = ["LakeError", "LakeExport", "UnsupportedType", "export_lake", "lake_tables", "lake_type",
           "spark_table_specs", "spark_type"]
