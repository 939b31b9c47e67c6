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


_UNIT_VALUE = {"拾": 10, "佰": 100, "仟": 1000}
UPPER_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整"


def _section(text: str) -> int | None:
    """A 大写 number below 10,000 (拾/佰/仟 units, 零 fillers); None when malformed."""
    value, digit = 0, None
    for ch in text:
        if ch == "零":
            digit = None
        elif ch in _DIGITS:
            if digit is not None:
                return None  # two digits in a row
            digit = _DIGITS.index(ch)
        elif ch in _UNIT_VALUE:
            value += (1 if digit is None and ch == "拾" else digit or 0) * _UNIT_VALUE[ch]  # 拾 alone is 10
            digit = None
        else:
            return None
    return value + (digit or 0)


def parse_upper(text: str) -> Decimal | None:
    """The amount a 大写 text states (``叁佰贰拾万元整`` → 3200000), or None when it is not one; the inverse of
    :func:`rmb_upper`, lenient about where 零 stands, as a reader of someone else's wording must be."""
    text = text.strip().removeprefix("人民币").removesuffix("整").removesuffix("正")
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负")
    if not text or any(ch not in UPPER_CHARS for ch in text):
        return None
    integer_text, sep, small = text.partition("元")
    if not sep:
        if not text.endswith(("角", "分")):
            return None
        integer_text, small = "", text
    total = 0
    rest = integer_text
    for unit, factor in (("亿", 100_000_000), ("万", 10_000)):
        if unit in rest:
            head, _, rest = rest.partition(unit)
            part = _parse_big(head) if unit == "亿" else _section(head)
            if part is None:
                return None
            total += part * factor
    tail = _section(rest)
    if tail is None:
        return None
    total += tail
    jiao = fen = 0
    small = small.lstrip("零")
    for ch_unit in ("角", "分"):
        if ch_unit in small:
            head, _, small = small.partition(ch_unit)
            head = head.lstrip("零")
            if len(head) != 1 or head not in _DIGITS:
                return None
            if ch_unit == "角":
                jiao = _DIGITS.index(head)
            else:
                fen = _DIGITS.index(head)
            small = small.lstrip("零")
    if small:
        return None
    return sign * (Decimal(total) + Decimal(jiao) / 10 + Decimal(fen) / 100)


def _parse_big(text: str) -> int | None:
    """The part before 亿, which may itself hold 万 (万亿)."""
    if "万" in text:
        head, _, tail = text.partition("万")
        hi, lo = _section(head), _section(tail)
        return None if hi is None or lo is None else hi * 10_000 + lo
    return _section(text)
