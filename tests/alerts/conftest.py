import datetime
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "samples"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
# The samples are about the rainstorm of 25 July 2026: import them "then".
JULY_25 = datetime.datetime(2026, 7, 25, 10, 0, tzinfo=BEIJING)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def second_approver(county):
    from tests.conftest import COUNTY, _user

    return _user("duty2", "duty_officer", COUNTY)
