"""Money: ``Decimal`` only, rounded to the fen half-up, and the RMB uppercase (人民币大写).

The rounding rule is stated once, here: :data:`FEN` and :data:`ROUNDING`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
MAX_AMOUNT = Decimal("9999999999999999.99")  # below 10^16 元: 亿亿 is not a unit anyone writes

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_GROUP_UNITS = ["", "万", "亿", "万亿"]


class MoneyError(ValueError):
    """An amount that is not a valid RMB figure."""


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen, half-up (the one rounding rule of bidkit)."""
    return value.quantize(FEN, rounding=ROUNDING)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_fen(quantity * unit_price)


def add_tax(net: Decimal, rate: Decimal) -> Decimal:
    """``net`` plus tax at ``rate`` (e.g. ``Decimal("0.13")``), rounded to the fen."""
    return to_fen(net * (1 + rate))


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise MoneyError("not a finite number")
    return max(0, -exponent)


def check_amount(value: Decimal) -> Decimal:
    """Accept a finite amount with at most two decimals; return it unchanged."""
    if not isinstance(value, Decimal):
        raise MoneyError(f"expected a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise MoneyError("not a finite number")
    if decimal_places(value.normalize() if value != 0 else Decimal(0)) > 2:
        raise MoneyError("more than two decimals (amounts are in 元 to the 分)")
    if abs(value) > MAX_AMOUNT:
        raise MoneyError("amount too large")
    return value


def format_amount(value: Decimal) -> str:
    """``1234567.5`` → ``1,234,567.50``."""
    return f"{to_fen(value):,.2f}"


def _four_digits(n: int) -> str:
    """Uppercase of 1..9999 without group unit; inner zeros collapse to one 零."""
    out: list[str] = []
    zero_pending = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def _integer_upper(n: int) -> str:
    if n == 0:
        return ""
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_GROUP_UNITS):
        raise MoneyError("amount too large")
    out: list[str] = []
    need_zero = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            need_zero = bool(out)
            continue
        # a zero between groups: 100010 → 壹拾万零壹拾; also when this group lacks its thousands
        if out and (need_zero or g < 1000):
            out.append("零")
        need_zero = False
        out.append(_four_digits(g) + _GROUP_UNITS[idx])
    return "".join(out)


def rmb_upper(amount: Decimal) -> str:
    """人民币大写 as the PBOC rules for filling amounts ask.

    ``Decimal("325.04")`` → ``叁佰贰拾伍元零肆分``; ``Decimal("16")`` → ``壹拾陆元整``. More than two decimals raise
    :class:`MoneyError` instead of truncating. Negative amounts are written with a leading 负.
    """
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MoneyError(f"not an amount: {amount!r}") from exc
    if isinstance(amount, float):
        raise MoneyError("floats are not money; pass a Decimal")
    check_amount(value)
    sign = ""
    if value < 0:
        sign = "负"
        value = -value
    fen_total = int((value * 100).to_integral_value())
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    head = _integer_upper(yuan)
    parts = [head + "元"] if yuan else []
    if jiao == 0 and fen == 0:
        parts.append("整")
    elif jiao == 0:
        # 元 followed by 零 when 角 is 0 and 分 is not; an amount below one 元 starts directly with 分
        parts.append(("零" if yuan else "") + _DIGITS[fen] + "分")
    else:
        parts.append(_DIGITS[jiao] + "角")
        if fen:
            parts.append(_DIGITS[fen] + "分")
    return sign + "".join(parts)
