"""The landing sensor asks for a run when manifests appear or change, and only then."""

import dagster as dg

from ipx.definitions import defs
from support.deliveries import employer, write_delivery


def test_sensor_requests_a_run_for_new_manifests_only(tmp_path, monkeypatch):
    monkeypatch.setenv("IPX_LANDING", str(tmp_path))
    sensor = defs.resolve_sensor_def("landing_sensor")
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        assert isinstance(sensor(ctx), dg.SkipReason)  # empty landing folder
        write_delivery(tmp_path, "hrss_employers", [employer(1)], period="2024Q1")
        first = sensor(ctx)
        assert isinstance(first, dg.RunRequest)
        ctx = dg.build_sensor_context(instance=instance, cursor=first.run_key)
        assert isinstance(sensor(ctx), dg.SkipReason)  # nothing new since
        write_delivery(tmp_path, "hrss_employers", [employer(2)], period="2024Q2")
        assert isinstance(sensor(ctx), dg.RunRequest)
