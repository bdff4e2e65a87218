"""The unified social credit code (统一社会信用代码, GB 32100-2015): normalising and its check character.

The model's regular expression only checks the shape; the 18th character is a check character computed
from the first 17, so a mistyped code is caught here before it reaches the database."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_normalize(value) -> str:
    """Upper-case, without the spaces people paste in from documents."""
    if value is None:
        return ""
    return "".join(str(value).split()).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters (which must come from ALPHABET)."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_checksum_ok(code: str) -> bool:
    if len(code) != 18 or any(char not in ALPHABET for char in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def credit_code_complete(first17: str) -> str:
    """`first17` followed by its check character: for seed data and tests that need valid codes."""
    return first17 + credit_code_check_char(first17)
