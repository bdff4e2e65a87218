import pytest

from units.credit_code import credit_code_checksum_ok, credit_code_complete, credit_code_normalize


@pytest.mark.parametrize("code", ["91350100M000100Y43", "9144030071526726XG", "91330100716105852F"])
def test_credit_code_checksum_ok_accepts_real_codes(code):
    assert credit_code_checksum_ok(code)


@pytest.mark.parametrize("code", ["91350100M000100Y44", "91330100716105852", "9133010071610585I2F", ""])
def test_credit_code_checksum_ok_rejects_bad_codes(code):
    assert not credit_code_checksum_ok(code)


def test_credit_code_complete_appends_check_character():
    assert credit_code_complete("91350100M000100Y4") == "91350100M000100Y43"


def test_credit_code_normalize_strips_spaces_and_upper_cases():
    assert credit_code_normalize(" 9135 0100m000100y43\u3000") == "91350100M000100Y43"
    assert credit_code_normalize(None) == ""
