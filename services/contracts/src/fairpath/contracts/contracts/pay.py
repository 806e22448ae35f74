"""Pay as an effective hourly rate, whatever the period it is stated in, and in another currency."""

from decimal import Decimal

from fairpath.contracts.reference.schemas import PayPeriod

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


def hours_per_period(period: PayPeriod | str, hours_per_day: float, hours_per_week: float) -> Decimal:
    """Normal hours a period of pay covers."""
    day, week = Decimal(str(hours_per_day)), Decimal(str(hours_per_week))
    return {
        PayPeriod.hour: Decimal(1),
        PayPeriod.day: day,
        PayPeriod.week: week,
        PayPeriod.fortnight: 2 * week,
        PayPeriod.month: WEEKS_PER_MONTH * week,
    }[PayPeriod(period)]


def hourly_rate(amount: int, period: PayPeriod | str, hours_per_day: float, hours_per_week: float) -> Decimal:
    """Minor units per normal hour."""
    return Decimal(amount) / hours_per_period(period, hours_per_day, hours_per_week)


def in_period(
    amount: int, period: PayPeriod | str, target: PayPeriod | str, hours_per_day: float, hours_per_week: float
) -> Decimal:
    """The same pay stated over another period, at the contract's normal hours."""
    rate = hourly_rate(amount, period, hours_per_day, hours_per_week)
    return rate * hours_per_period(target, hours_per_day, hours_per_week)


# ISO 4217 minor-unit exponents that are not 2 (Gulf dinars and rials count in thousandths).
_EXPONENTS = {
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split(), 0),
}


def minor_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def money(amount: int | Decimal, currency: str) -> str:
    """A human figure in major units with Latin digits (extractable from a PDF): 1,200.00 QAR."""
    exponent = minor_exponent(currency)
    return f"{Decimal(amount) / (10**exponent):,.{exponent}f} {currency}"
