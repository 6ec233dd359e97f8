import pytest
from tests.conftest import VILLAGE_A, _user


@pytest.fixture
def enterprise_a_manager(county, enterprise_a):
    """A second user of enterprise A: verifies what the first one rectified."""
    return _user("ent_a_mgr", "enterprise_user", VILLAGE_A, enterprise_a)
