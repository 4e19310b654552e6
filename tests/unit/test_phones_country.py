"""Only mobile numbers of the site's country: a courier token must not make us text the world (issue 20)."""

import pytest

from locker_app.services.errors import InvalidInput
from locker_app.services.phones import normalize_phone

ABROAD = [
    "+881612345678",  # Iridium satellite
    "+25271123456",  # Somalia
    "+5351234567",  # Cuba
    "+819012345678",  # Japan, a mobile
    "+8501921234567",  # North Korea
    "+12015550123",  # the United States
]


@pytest.mark.parametrize("raw", ABROAD)
def test_a_mobile_number_of_another_country_is_refused_at_a_korean_site(raw):
    with pytest.raises(InvalidInput) as refused:
        normalize_phone(raw, "KR")
    assert "country" in str(refused.value)


def test_the_same_number_is_accepted_at_a_site_of_its_own_country():
    assert normalize_phone("+819012345678", "JP") == "+819012345678"
    assert normalize_phone("090-1234-5678", "JP") == "+819012345678"
    assert normalize_phone("+12015550123", "US") == "+12015550123"


def test_a_canadian_number_is_not_a_us_number_though_both_are_plus_one():
    with pytest.raises(InvalidInput):
        normalize_phone("+15062345678", "US")
