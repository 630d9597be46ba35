import pytest

from waferlab.context import RunContext


@pytest.fixture
def ctx():
    return RunContext(seed=20261129, threads=2)
