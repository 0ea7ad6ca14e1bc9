"""The restore drill, small: the machine running gunicorn under Litestream is lost twice
during check-ins, and each time the database comes back from the file replica.

`make drill` runs the same code at full size (bench/drill.py)."""

from bench import drill

# The kill comes 2 seconds into each cycle's check-ins, two sync intervals of Litestream:
# some have reached the replica by then and some not. Two cycles, so the second starts on,
# and streams, a restored database; `make drill` runs three, bigger, and a last clean start.
# Bounded: at most 2 x 3 x 30 check-ins sent.
PLAN = drill.Plan(clients=3, check_ins=30, cycles=2, workers=2, pause=0.1, kill_fraction=0.2,
                  kill_after=2.0, seconds=90, last_start=False)


def test_losing_the_machine_costs_only_the_last_seconds_and_the_app_starts_again(
    tmp_path, record_property
):
    lines = []
    report = drill.drill(tmp_path, PLAN, log=lines.append)
    summary = "\n".join(lines)
    print(summary)
    record_property("drill", summary)

    assert len(report.cycles) == PLAN.cycles
    for cycle in report.cycles:
        assert cycle.acknowledged > 0
        assert cycle.found + cycle.lost == cycle.acknowledged
        # The replica really was written while people checked in: a restore brings back
        # what was acknowledged before the last sync, and only the last moments are lost.
        assert cycle.found > 0, summary
        assert cycle.loss_window < PLAN.kill_after, summary
        # Nothing that an earlier restore brought back went missing, nothing came twice,
        # and no one saw an error or a "database is locked" while Litestream checkpointed.
        assert cycle.earlier_missing == 0
        assert cycle.duplicates == 0
        assert cycle.unexpected == {}, summary
        assert cycle.integrity == "ok"
    # The second cycle ran on the first one's restore: the app started again on it, took
    # check-ins and streamed them (found after the second restore).
    assert report.cycles[1].found > 0
