"""Sweeps on a Dask cluster: the same rows as in one process, even when a worker dies."""

from __future__ import annotations

import pytest
from tests import sweep_recipes as recipes

import tinygan as tg

distributed = pytest.importorskip("distributed", reason="the cluster tests need tinygan[cluster]")

STEPS = 40


@pytest.fixture(scope="module")
def kill_marker(tmp_path_factory):
    return tmp_path_factory.mktemp("kill") / "killed"


@pytest.fixture(scope="module")
def client(kill_marker):
    marker = kill_marker
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TINYGAN_TEST_KILL_MARKER", str(marker))
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_a_local_cluster_gives_the_rows_of_an_in_process_sweep(client):
    expected = tg.sweep(6, recipes.custom, steps=STEPS)
    on_cluster = tg.sweep(6, recipes.custom, steps=STEPS, executor=client, chunk_size=2)
    assert on_cluster.rows == expected.rows


def test_a_worker_killed_mid_sweep_costs_nothing(client, kill_marker):
    expected = tg.sweep(6, recipes.post, steps=STEPS)
    assert not kill_marker.exists()
    result = tg.sweep(6, recipes.post_dies_once, steps=STEPS, executor=client, chunk_size=2)
    assert kill_marker.exists()  # a worker really died, and Dask ran its chunk again
    assert [row.values for row in result.rows] == [row.values for row in expected.rows]
    assert [row.d_loss for row in result.rows] == [row.d_loss for row in expected.rows]
