"""Benchmark: first-response deadlines per second, sla.engine against businesstimedelta.

Run from the project root: ``.venv/bin/python bench/bench_sla.py``. Single thread, fixed seed.
100,000 received times, uniform over 2026-01-01 .. 2027-12-31 UTC, to the second.
businesstimedelta is 15-200x slower, so it is timed and compared on the first
THEIRS_SAMPLE of the same inputs (the script must finish well under two minutes).
Each figure is the best of a few passes; both engines build their calendars before timing.
"""

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from importlib.metadata import version
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import businesstimedelta as btd  # noqa: E402
import pytz  # noqa: E402

from sla.engine import (  # noqa: E402
    NEXT_BUSINESS_DAY,
    BusinessDayCalendar,
    Calendar,
    first_response_due,
    holiday_dates,
    parse_weekly,
)

SEED = 20261125
N = 100_000
THEIRS_SAMPLE = 10_000
OUR_REPEATS, THEIR_REPEATS = 3, 2  # best of, against noise from other processes
RANGE_START = datetime(2026, 1, 1, tzinfo=UTC)
RANGE_SECONDS = int((datetime(2028, 1, 1, tzinfo=UTC) - RANGE_START).total_seconds())
HOLIDAY_YEARS = range(2025, 2030)  # one year of margin on each side of the inputs
H = timedelta(hours=1)
# businesstimedelta has no 24:00: the closest end of day it can express.
END_OF_DAY = clock(23, 59, 59, 999999)


def received_times():
    rng = random.Random(SEED)
    return [RANGE_START + timedelta(seconds=rng.randrange(RANGE_SECONDS)) for _ in range(N)]


# --------------------------------------------------------------------------- our calendars


def our_calendars(us_holidays):
    return {
        "standard": Calendar(
            time_zone="America/Denver", weekly=parse_weekly("Mon-Fri 09:00-17:00"), closed_dates=us_holidays
        ),
        "24x7 Denver": Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 00:00-24:00")),
        "24x7 Chicago": Calendar(time_zone="America/Chicago", weekly=parse_weekly("Mon-Sun 00:00-24:00")),
        "Sun19-Fri19": Calendar(
            time_zone="America/Chicago", weekly=parse_weekly("Sun 19:00-Fri 19:00"), closed_dates=us_holidays
        ),
    }


# --------------------------------------------------------------------------- their calendars


def their_rules(us_holidays):
    """The same calendars in businesstimedelta, as closely as it can express them.

    * No 24:00: a day ends at 23:59:59.999999, so each midnight crossed loses 1 µs.
    * An "overnight" WorkDayRule (end < start) would give 24:00, but it skips the current
      shift when asked from inside it before midnight (see OVERNIGHT below), and start == end
      (00:00-00:00) gives empty periods and loops forever.
    """
    denver, chicago = pytz.timezone("America/Denver"), pytz.timezone("America/Chicago")
    week = [0, 1, 2, 3, 4, 5, 6]
    return {
        "standard": btd.Rules(
            [
                btd.WorkDayRule(
                    start_time=clock(9), end_time=clock(17), working_days=[0, 1, 2, 3, 4], tz=denver
                ),
                btd.HolidayRule(us_holidays, tz=denver),
            ]
        ),
        "24x7 Denver": btd.WorkDayRule(
            start_time=clock(0), end_time=END_OF_DAY, working_days=week, tz=denver
        ),
        "24x7 Chicago": btd.WorkDayRule(
            start_time=clock(0), end_time=END_OF_DAY, working_days=week, tz=chicago
        ),
        "Sun19-Fri19": btd.Rules(
            [
                btd.WorkDayRule(start_time=clock(19), end_time=END_OF_DAY, working_days=[6], tz=chicago),
                btd.WorkDayRule(
                    start_time=clock(0), end_time=END_OF_DAY, working_days=[0, 1, 2, 3], tz=chicago
                ),
                btd.WorkDayRule(start_time=clock(0), end_time=clock(19), working_days=[4], tz=chicago),
                btd.HolidayRule(us_holidays, tz=chicago),
            ]
        ),
        # The natural way to write Sunday 19:00-24:00, as an overnight rule ending at 00:00.
        "Sun19-Fri19 OVERNIGHT": btd.Rules(
            [
                btd.WorkDayRule(start_time=clock(19), end_time=clock(0), working_days=[6], tz=chicago),
                btd.WorkDayRule(
                    start_time=clock(0), end_time=END_OF_DAY, working_days=[0, 1, 2, 3], tz=chicago
                ),
                btd.WorkDayRule(start_time=clock(0), end_time=clock(19), working_days=[4], tz=chicago),
                btd.HolidayRule(us_holidays, tz=chicago),
            ]
        ),
    }


# (tier, severity, our calendar, target, their rule or None when it cannot express the target)
ROWS = [
    ("Standard", "Sev1 4h", "standard", 4 * H, "standard"),
    ("Standard", "Sev2 8h", "standard", 8 * H, "standard"),
    ("Standard", "Sev3 NBD", "standard", NEXT_BUSINESS_DAY, None),
    ("Premium", "Sev1 1h", "24x7 Denver", 1 * H, "24x7 Denver"),
    ("Premium", "Sev2 2h", "24x7 Denver", 2 * H, "24x7 Denver"),
    ("Premium", "Sev3 4h", "24x7 Denver", 4 * H, "24x7 Denver"),
    ("Enterprise", "Sev1 30m", "24x7 Chicago", timedelta(minutes=30), "24x7 Chicago"),
    ("Enterprise", "Sev2 8h", "Sun19-Fri19", 8 * H, "Sun19-Fri19"),
    ("Enterprise", "Sev3 24h", "Sun19-Fri19", 24 * H, "Sun19-Fri19"),
    ("Enterprise", "Sev2 8h *", "Sun19-Fri19", 8 * H, "Sun19-Fri19 OVERNIGHT"),
]


# --------------------------------------------------------------------------- timing


def best_rate(compute, inputs, repeats):
    """Best of ``repeats`` timed passes (the machine may be shared), and the answers."""
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        out = [compute(r) for r in inputs]
        best = max(best, len(inputs) / (time.perf_counter() - started))
    return best, out


def time_ours(calendar, target, inputs):
    return best_rate(
        lambda r: first_response_due(received_at=r, target=target, calendar=calendar), inputs, OUR_REPEATS
    )


def time_theirs(rule, target, inputs):
    delta = btd.BusinessTimeDelta(rule, timedelta=target)
    return best_rate(lambda r: r + delta, inputs, THEIR_REPEATS)


def cold_costs(us_holidays, sample):
    """First-call cost: our calendar builds a year's index lazily on first use."""
    lines = []
    for name, spec, tz, closed in [
        ("standard", "Mon-Fri 09:00-17:00", "America/Denver", us_holidays),
        ("Sun19-Fri19", "Sun 19:00-Fri 19:00", "America/Chicago", us_holidays),
        ("24x7", "Mon-Sun 00:00-24:00", "America/Denver", ()),
    ]:
        started = time.perf_counter()
        calendar = Calendar(time_zone=tz, weekly=parse_weekly(spec), closed_dates=closed)
        built = time.perf_counter()
        calendar.add_open_time(sample, 4 * H)
        first = time.perf_counter()
        calendar.add_open_time(sample, 4 * H)
        second = time.perf_counter()
        lines.append(
            f"  {name:<12} construct {1e6 * (built - started):7.1f} µs, first call "
            f"{1e3 * (first - built):6.2f} ms (builds one local year), "
            f"warm call {1e6 * (second - first):5.1f} µs"
        )
    return lines


def spot_checks(us_holidays):
    """Hand-picked cases that random inputs seldom hit, with the answer domain.md calls for."""
    denver, chicago = ZoneInfo("America/Denver"), ZoneInfo("America/Chicago")
    p_denver = pytz.timezone("America/Denver")
    week = [0, 1, 2, 3, 4, 5, 6]
    every_day_24h = btd.WorkDayRule(start_time=clock(0), end_time=END_OF_DAY, working_days=week, tz=p_denver)
    night = Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 01:00-04:00"))
    night_rule = btd.WorkDayRule(start_time=clock(1), end_time=clock(4), working_days=week, tz=p_denver)
    shift = Calendar(
        time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 00:00-06:00; Mon-Sun 22:00-24:00")
    )
    shift_rule = btd.WorkDayRule(start_time=clock(22), end_time=clock(6), working_days=week, tz=p_denver)
    sunday = Calendar(time_zone="America/Denver", weekly=parse_weekly("Sun 00:00-24:00"))
    sunday_rule = btd.WorkDayRule(start_time=clock(0), end_time=END_OF_DAY, working_days=[6], tz=p_denver)
    ours_all = our_calendars(us_holidays)
    theirs_all = their_rules(us_holidays)
    utc_start = datetime(2026, 11, 1, 0, 30, tzinfo=denver).astimezone(UTC)
    cases = [
        # (what, our calendar, their rule, received, target)
        (
            "24x7, fall back, 00:30 MDT + 2h, received as UTC",
            ours_all["24x7 Denver"],
            every_day_24h,
            utc_start,
            2 * H,
        ),
        (
            "24x7, fall back, 00:30 MDT + 2h, received as zoneinfo",
            ours_all["24x7 Denver"],
            every_day_24h,
            datetime(2026, 11, 1, 0, 30, tzinfo=denver),
            2 * H,
        ),
        (
            "01:00-04:00 daily, fall back, 01:00 MDT + 4h",
            night,
            night_rule,
            datetime(2026, 11, 1, 1, tzinfo=denver).astimezone(UTC),
            4 * H,
        ),
        (
            "01:00-04:00 daily, spring forward, 01:00 MST + 2h",
            night,
            night_rule,
            datetime(2026, 3, 8, 1, tzinfo=denver).astimezone(UTC),
            2 * H,
        ),
        (
            "22:00-06:00 nightly, received 23:00 + 1h",
            shift,
            shift_rule,
            datetime(2026, 11, 30, 23, tzinfo=denver).astimezone(UTC),
            1 * H,
        ),
        (
            "Sundays only, spring-forward Sunday 00:00 + 23h",
            sunday,
            sunday_rule,
            datetime(2026, 3, 8, tzinfo=denver).astimezone(UTC),
            23 * H,
        ),
        (
            "Enterprise Sev2, received Sun 20:00 (overnight rule)",
            ours_all["Sun19-Fri19"],
            theirs_all["Sun19-Fri19 OVERNIGHT"],
            datetime(2026, 11, 22, 20, tzinfo=chicago).astimezone(UTC),
            8 * H,
        ),
        (
            "Standard Sev1, received Wed 15:00 before Thanksgiving",
            ours_all["standard"],
            theirs_all["standard"],
            datetime(2026, 11, 25, 15, tzinfo=denver).astimezone(UTC),
            4 * H,
        ),
    ]
    print("Spot checks (ours is what domain.md §4 asks for; theirs in the same zone for reading):")
    for what, calendar, rule, received, target in cases:
        ours = calendar.add_open_time(received, target)
        them = received + btd.BusinessTimeDelta(rule, timedelta=target)
        # Read theirs as an instant: its wall time may be unnormalised (pytz, or zoneinfo arithmetic).
        them_utc = them.astimezone(UTC)
        verdict = "same" if them_utc == ours.astimezone(UTC) else describe(them_utc - ours.astimezone(UTC))
        print(
            f"  {what:<54} ours {ours:%m-%d %H:%M %z}"
            f"  theirs {them_utc.astimezone(calendar.tz):%m-%d %H:%M %z}  {verdict}"
        )


def describe(diff):
    if diff == timedelta(0):
        return "same"
    sign = "+" if diff > timedelta(0) else "-"
    return f"theirs {sign}{abs(diff)}"


def main():
    print(
        f"sla.engine vs businesstimedelta {version('businesstimedelta')} (pytz {pytz.__version__}); "
        f"Python {sys.version.split()[0]}, one thread"
    )
    t0 = time.perf_counter()
    us_holidays = holiday_dates(country="US", years=HOLIDAY_YEARS)
    print(
        f"holiday_dates(US, {HOLIDAY_YEARS.start}..{HOLIDAY_YEARS.stop - 1}): "
        f"{len(us_holidays)} dates in {1e3 * (time.perf_counter() - t0):.1f} ms (shared by both engines)"
    )
    inputs = received_times()
    print(
        f"{N:,} received times, seed {SEED}, uniform over 2026-01-01..2027-12-31 UTC; "
        f"businesstimedelta on the first {THEIRS_SAMPLE:,}\n"
    )

    print("Cold cost of our engine (per calendar):")
    for line in cold_costs(us_holidays, inputs[0]):
        print(line)
    print()

    ours_cal = our_calendars(us_holidays)
    theirs = their_rules(us_holidays)
    # Warm our year indexes outside the timed loops, as a long-running worker would have them.
    for calendar in ours_cal.values():
        for year in (2026, 2027, 2028):
            calendar.is_business_day(datetime(year, 6, 1).date())

    header = (
        f"{'tier':<11}{'severity':<11}{'calendar':<14}{'ours /s':>11}{'theirs /s':>11}"
        f"{'ours/theirs':>12}{'differ':>9}{'>1 ms':>8}{'max |diff|':>17}"
    )
    print(header)
    print("-" * len(header))
    examples = []
    for tier, severity, cal_name, target, their_name in ROWS:
        our_rate, our_out = time_ours(ours_cal[cal_name], target, inputs)
        if their_name is None:
            print(
                f"{tier:<11}{severity:<11}{cal_name:<14}{our_rate:>11,.0f}{'n/a':>11}{'n/a':>12}"
                f"{'n/a':>9}{'n/a':>8}{'n/a':>17}"
            )
            continue
        sample = inputs[:THEIRS_SAMPLE]
        our_sample_rate, _ = time_ours(ours_cal[cal_name], target, sample)
        their_rate, their_out = time_theirs(theirs[their_name], target, sample)
        differ = big = 0
        worst = timedelta(0)
        for received, ours, them in zip(sample, our_out[: len(sample)], their_out, strict=True):
            diff = them - ours  # aware datetimes in different zones: a real-time difference
            if diff:
                differ += 1
                worst = max(worst, abs(diff))
                if abs(diff) > timedelta(milliseconds=1):
                    big += 1
                    if sum(1 for e in examples if e[0] == (tier, severity)) < 3:
                        examples.append(((tier, severity), received, ours, them, diff))
        print(
            f"{tier:<11}{severity:<11}{cal_name:<14}{our_rate:>11,.0f}{their_rate:>11,.0f}"
            f"{our_sample_rate / their_rate:>11.0f}x{differ:>9,}{big:>8,}{str(worst):>17}"
        )
    print()
    print(
        f"ours /s: all {N:,} inputs, best of {OUR_REPEATS}; theirs /s: first {THEIRS_SAMPLE:,}, best of "
        f"{THEIR_REPEATS}; ours/theirs: both on those {THEIRS_SAMPLE:,}."
    )
    print("differ: answers not equal to the microsecond; >1 ms: answers that differ by more.")
    print("Microsecond differences: businesstimedelta's day ends at 23:59:59.999999, so its deadline")
    print("is 1 µs later for each midnight the open time runs across (it cannot say 24:00).")
    print("NBD: businesstimedelta has no notion of 'close of the next business day'.")
    print("*: Sunday 19:00-24:00 written as businesstimedelta's overnight rule (19:00 to 00:00).")

    if examples:
        print("\nExamples of disagreements over 1 ms (received → ours | theirs):")
        for (tier, severity), received, ours, them, diff in examples:
            local = received.astimezone(ours.tzinfo)
            print(
                f"  {tier} {severity}: {local:%a %Y-%m-%d %H:%M:%S %z} → {ours:%a %Y-%m-%d %H:%M:%S %z}"
                f" | {them.astimezone(ours.tzinfo):%a %Y-%m-%d %H:%M:%S %z} ({describe(diff)})"
            )

    print()
    spot_checks(us_holidays)

    # ------------------------------------------------------------------ auto-close
    print()
    for tz_name in ("America/Denver", "America/Chicago"):
        business = BusinessDayCalendar(time_zone=tz_name, closed_dates=us_holidays)
        for days in (10, 15):
            started = time.perf_counter()
            for r in inputs:
                business.add_business_days(r, days)
            rate = N / (time.perf_counter() - started)
            print(f"auto-close add_business_days({days:>2}) {tz_name:<16} {rate:>11,.0f} /s")
    print(f"\ntotal bench time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
