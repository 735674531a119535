"""ipx's dbt resource skips two start-up costs of dagster-dbt's (warehouse_models.IpxDbtCliResource):
the ``dbt --version`` subprocess and an in-process dbt adapter. It overrides private members of
dagster-dbt, so these tests fail when a dagster-dbt upgrade renames them or the version differs."""

import functools
import re
import shutil
import subprocess

from dagster_dbt import DbtCliResource
from packaging import version

from ipx.assets import warehouse_models


def test_the_overridden_members_exist_in_dagster_dbt():
    # a renamed member would leave the override unused: builds slower, silently
    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), functools.cached_property)
    assert callable(DbtCliResource.__dict__.get("_initialize_dbt_core_adapter"))


def test_dbt_version_is_the_executables():
    resource = warehouse_models.dbt_resource("duckdb")
    assert isinstance(resource, warehouse_models.IpxDbtCliResource)
    reported = subprocess.check_output([shutil.which(resource.dbt_executable), "--version"], text=True)
    assert resource._cli_version == version.parse(re.search(r"(\d+\.\d+\.\d+)", reported).group(1))
    assert resource._cli_version.major < 2  # dbt Core: dagster-dbt would otherwise skip adapters itself


def test_no_adapter_is_set_up_in_process():
    assert warehouse_models.dbt_resource("duckdb")._initialize_dbt_core_adapter(["build"]) is None
