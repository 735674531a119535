"""A failed dbt step is summarised by the dbt node that failed, not by dagster-dbt's generic
first line (both engines)."""

from types import SimpleNamespace

from ipx.pipeline import _failure_message


def _event(message: str):
    error = SimpleNamespace(message=message, cls_name="DagsterDbtCliRuntimeError", cause=None)
    return SimpleNamespace(event_specific_data=SimpleNamespace(error=error))


def test_the_failed_dbt_node_is_named():
    message = ("dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI process with command\n\n"
               "`dbt build --target spark` failed with exit code `1`.\n\nErrors parsed from dbt logs:\n\n"
               "177 of 367 ERROR int_exposure_samples_assessed::cases  [\x1b[31mERROR\x1b[0m in 1.24s]\n\n"
               "Runtime Error in unit_test cases\n")
    assert _failure_message(_event(message)) == "177 of 367 ERROR int_exposure_samples_assessed::cases  [ERROR in 1.24s]"


def test_a_root_cause_still_comes_first_and_otherwise_the_first_line():
    assert _failure_message(_event("x\n12 of 40 FAIL 3 not_null_a\nIO Error: No space left on device")) == \
        "IO Error: No space left on device"
    assert _failure_message(_event("something else broke\nsecond line")) == "something else broke"
