"""A sensor on the landing folder: a new or changed manifest starts an ingestion run.

It reads only the file system (never the warehouse, which a running pipeline may hold open);
the run itself decides what is new, so a spurious request changes nothing.
"""


import hashlib
import os

import dagster as dg

from ipx.ingestion.landing import MANIFEST_SUFFIX
from ipx.resources import warehouse_from_env


def landing_fingerprint(landing: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    if os.path.isdir(landing):
        for feed in sorted(os.listdir(landing)):
            folder = os.path.join(landing, feed)
            if feed.startswith(("_", ".")) or not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                if name.endswith(MANIFEST_SUFFIX):
                    stat = os.stat(os.path.join(folder, name))
                    digest.update(f"{feed}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
                    count += 1
    return digest.hexdigest(), count


def build_landing_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
               description="Starts ingestion and the warehouse build when manifests appear or change "
                           "in the landing folder (IPX_LANDING).")
    def landing_sensor(context: dg.SensorEvaluationContext):
        fingerprint, count = landing_fingerprint(warehouse_from_env().landing)
        if count == 0 or fingerprint == context.cursor:
            return dg.SkipReason(f"{count} manifests, nothing new")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint, tags={"ipx/manifests": str(count)})

    return landing_sensor
