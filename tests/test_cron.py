"""Upstash-Cron: robfig/cron v3's acceptance and next runs (robfig's own answers are in
tests/vectors/cron.json; these are the properties and the cases around them)."""

import itertools
import pickle
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qstash_protocol import CronSchedule, InvalidCron, parse_cron, validate_cron
from qstash_protocol.testing import strategies as ours
from qstash_protocol.values import _cron_next
from qstash_protocol.values import cron as cron_values

VALID = [
    ("*/5 * * * *", "*/5 * * * *"),
    ("  0   9 *  * MON-FRI ", "0 9 * * MON-FRI"),
    ("0\t9 * * 1-5", "0 9 * * 1-5"),
    ("TZ=Europe/Berlin 0 0 * * *", "CRON_TZ=Europe/Berlin 0 0 * * *"),
    ("TZ= 0 0 * * *", "CRON_TZ=UTC 0 0 * * *"),
    ("CRON_TZ=UTC   0 0 * * *", "CRON_TZ=UTC 0 0 * * *"),
    ("1,,2 * * * ?", "1,,2 * * * ?"),
    ("*-5 * * * *", "*-5 * * * *"),
]


@pytest.mark.parametrize(("text", "canonical"), VALID)
def test_canonical_form(text: str, canonical: str) -> None:
    assert validate_cron(text) == canonical
    assert validate_cron(canonical) == canonical
    assert parse_cron(canonical) == parse_cron(text)


INVALID = [
    ("", "cron.empty", (0, 0)),
    ("   ", "cron.field_count", (0, 3)),
    ("* * * *", "cron.field_count", (0, 7)),
    ("CRON_TZ=UTC", "cron.field_count", (11, 11)),
    ("60 * * * *", "cron.out_of_range", (0, 2)),
    ("0 0 0 * *", "cron.out_of_range", (4, 5)),
    ("0 0 * * 1-7", "cron.out_of_range", (10, 11)),
    ("5-1 * * * *", "cron.reversed_range", (0, 3)),
    ("*/0 * * * *", "cron.invalid_step", (2, 3)),
    ("1/x * * * *", "cron.invalid_step", (2, 3)),
    ("1/2/3 * * * *", "cron.too_many_slashes", (3, 5)),
    ("1-2-3 * * * *", "cron.too_many_hyphens", (0, 5)),
    ("0 0 * FOO *", "cron.unknown_name", (6, 9)),
    ("0 MON * * *", "cron.invalid_number", (2, 5)),
    ("1- * * * *", "cron.invalid_number", (2, 2)),
    ("CRON_TZ=Bad/Zone 0 0 * * *", "cron.unknown_zone", (8, 16)),
    ("@daily", "cron.unsupported", (0, 6)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidCron) as info:
        parse_cron(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_the_first_bad_field_is_reported() -> None:
    with pytest.raises(InvalidCron) as info:
        parse_cron("70 25 * * *")
    assert info.value.span == (0, 2)


def test_descriptors_need_the_keyword() -> None:
    assert parse_cron("@daily", descriptors=True).hours == frozenset({0})
    assert parse_cron("0 0 * * *", descriptors=True) == parse_cron("0 0 * * *")
    with pytest.raises(InvalidCron) as info:
        parse_cron("@Daily", descriptors=True)
    assert info.value.code == "cron.unknown_descriptor"
    with pytest.raises(InvalidCron) as info:
        parse_cron("@every 1d", descriptors=True)
    assert (info.value.code, info.value.span) == ("cron.invalid_every", (7, 9))


def test_every_runs_at_fixed_intervals_from_the_second() -> None:
    schedule = parse_cron("@every 1m30.9s", descriptors=True)
    assert schedule.every == timedelta(seconds=90)
    after = datetime(2024, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)
    assert schedule.next_runs(after, 2) == [
        datetime(2024, 1, 1, 0, 1, 30, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 3, tzinfo=UTC),
    ]
    assert parse_cron("@every -5m", descriptors=True).every == timedelta(seconds=1)


def test_parsing_is_cached() -> None:
    text = "7 7 * * *"
    assert parse_cron(text) is parse_cron(text)


def test_schedules_pickle() -> None:
    schedule = parse_cron("CRON_TZ=Europe/Berlin 30 2 * * *")
    again = pickle.loads(pickle.dumps(schedule))
    after = datetime(2024, 10, 26, tzinfo=UTC)
    assert again == schedule
    assert again.next_runs(after, 3) == schedule.next_runs(after, 3)


def test_wrong_python_types() -> None:
    with pytest.raises(TypeError):
        parse_cron(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_cron("* * * * *").next_run(datetime(2024, 1, 1))


def test_runs_come_back_in_the_zone_of_after() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    run = parse_cron("0 12 * * *").next_run(datetime(2024, 7, 1, tzinfo=berlin))
    assert run == datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert run is not None
    assert run.tzinfo is berlin
    assert run.hour == 14


def test_fall_back_runs_once_per_offset() -> None:
    schedule = parse_cron("CRON_TZ=Europe/Berlin 30 2 * * *")
    runs = schedule.next_runs(datetime(2024, 10, 26, 12, tzinfo=UTC), 3)
    berlin = [run.astimezone(ZoneInfo("Europe/Berlin")) for run in runs]
    assert [(r.day, r.hour, r.minute, r.fold) for r in berlin] == [
        (27, 2, 30, 0),
        (27, 2, 30, 1),
        (28, 2, 30, 0),
    ]


def test_spring_forward_gap_is_skipped() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 30 2 * * *")
    runs = schedule.next_runs(datetime(2024, 3, 9, 12, tzinfo=UTC), 2)
    assert [run.astimezone(ZoneInfo("America/New_York")).day for run in runs] == [11, 12]


def test_no_run_within_five_years() -> None:
    schedule = parse_cron("0 0 29 2 *")
    assert schedule.next_run(datetime(2096, 3, 1, tzinfo=UTC)) is None
    assert schedule.next_runs(datetime(2095, 3, 1, tzinfo=UTC), 3) == [
        datetime(2096, 2, 29, tzinfo=UTC)
    ]


def test_robfig_hang_gives_no_run() -> None:
    schedule = parse_cron("CRON_TZ=Pacific/Apia 0 0 30 12 *")
    assert schedule.next_run(datetime(2011, 12, 28, 11, tzinfo=UTC)) is None


def test_runs_past_year_9999_are_none() -> None:
    schedule = parse_cron("0 0 1 1 *")
    runs = schedule.next_runs(datetime(9997, 6, 1, tzinfo=UTC), 5)
    assert runs == [datetime(9998, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)]


@given(st.text(st.sampled_from(list("0123456789*/,-? \tMONJAabcCRON_TZ=@")), max_size=40))
def test_any_text_gives_a_schedule_or_invalid_cron(text: str) -> None:
    try:
        schedule = parse_cron(text, descriptors=True)
    except InvalidCron as err:
        assert err.code in InvalidCron.CODES
        str(err)
    else:
        assert parse_cron(str(schedule), descriptors=True) == schedule


@given(st.text(max_size=30))
def test_any_unicode_gives_a_schedule_or_invalid_cron(text: str) -> None:
    try:
        parse_cron(text)
    except InvalidCron as err:
        assert err.code in InvalidCron.CODES


@given(ours.cron_expressions())
def test_valid_expressions_round_trip(text: str) -> None:
    schedule = parse_cron(text)
    assert validate_cron(str(schedule)) == str(schedule)
    assert parse_cron(str(schedule)) == schedule


@given(ours.invalid_cron_expressions())
def test_invalid_expressions_raise_their_code(example: ours.InvalidExample) -> None:
    with pytest.raises(InvalidCron) as info:
        parse_cron(example.value)
    assert info.value.code == example.code


def _matches(schedule: CronSchedule, moment: datetime) -> bool:
    dom = moment.day in schedule.days_of_month
    dow = moment.isoweekday() % 7 in schedule.days_of_week
    day = (dom or dow) if schedule.either_day else (dom and dow)
    return (
        moment.second == 0
        and moment.minute in schedule.minutes
        and moment.hour in schedule.hours
        and moment.month in schedule.months
        and day
    )


_ZONES = [None, "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
_AFTERS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2040, 1, 1),
).map(lambda moment: moment.replace(tzinfo=UTC))


@settings(max_examples=150, deadline=None)
@given(ours.cron_expressions(zones=False), st.sampled_from(_ZONES), _AFTERS)
def test_runs_are_after_and_match_and_skip_nothing(
    text: str, zone_name: str | None, after: datetime
) -> None:
    schedule = parse_cron(text if zone_name is None else f"CRON_TZ={zone_name} {text}")
    zone = ZoneInfo(zone_name or "UTC")
    runs = schedule.next_runs(after, 3)
    previous = after
    for run in runs:
        assert run > previous
        local = run.astimezone(zone)
        assert _matches(schedule, local)
        # No matching minute between two runs, unless the offset changed between them (a
        # skipped or repeated wall time) or the search stretched over weeks (checked in parts).
        same_offset = previous.astimezone(zone).utcoffset() == local.utcoffset()
        if same_offset and run - previous <= timedelta(days=2):
            moment = previous.replace(second=0, microsecond=0) + timedelta(minutes=1)
            while moment < run:
                assert not _matches(schedule, moment.astimezone(zone)), (moment, run)
                moment += timedelta(minutes=1)
        previous = run


@settings(max_examples=60, deadline=None)
@given(ours.cron_expressions(), _AFTERS, st.sampled_from([UTC, timezone(timedelta(hours=-7))]))
def test_next_runs_chain_next_run(text: str, after: datetime, zone: timezone) -> None:
    schedule = parse_cron(text)
    runs = schedule.next_runs(after.astimezone(zone), 4)
    moment = after
    for run in runs:
        assert run.tzinfo is zone
        assert schedule.next_run(moment) == run
        moment = run


def test_offset_changes_are_days_apart() -> None:
    """The precondition of _cron_next.Offsets: no zone changes offset twice within a day."""
    pure = pytest.importorskip("zoneinfo._zoneinfo")
    from importlib.resources import files

    closest = timedelta.max
    for key in (files("tzdata") / "zones").read_text(encoding="utf-8").split():
        zone = pure.ZoneInfo.no_cache(key)
        before = zone._tti_before.utcoff if zone._tti_before else None
        changes = []
        for instant, info in zip(zone._trans_utc, zone._ttinfos, strict=True):
            if info.utcoff != before:
                changes.append(instant)
            before = info.utcoff
        for first, second in itertools.pairwise(changes):
            closest = min(closest, timedelta(seconds=second - first))
    assert closest > timedelta(days=1)


def test_offsets_find_each_change_to_the_second() -> None:
    berlin = _cron_next.Offsets(ZoneInfo("Europe/Berlin"))
    spring = int(datetime(2024, 3, 31, 1, tzinfo=UTC).timestamp())
    assert berlin.offset(spring - 1) == 3600
    assert berlin.offset(spring) == 7200
    howe = _cron_next.Offsets(ZoneInfo("Australia/Lord_Howe"))
    autumn = int(datetime(2024, 4, 6, 15, tzinfo=UTC).timestamp())
    assert (howe.offset(autumn - 1), howe.offset(autumn)) == (39600, 37800)


@given(st.integers(-719_162, 2_932_896))
def test_civil_days_round_trip(days: int) -> None:
    assert _cron_next.days_from_civil(*_cron_next.civil(days)) == days
    year, month, day = _cron_next.civil(days)
    assert (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)).date() == (
        datetime(year, month, day, tzinfo=UTC).date()
    )


def test_a_star_field_has_the_bits_robfigs_get_range_gives_it() -> None:
    for index, spec in enumerate(cron_values._FIELDS):
        cron_values._field_bits_cached.cache_clear()
        expected = cron_values._field_bits("*", 0, "*", spec)
        assert cron_values._field_bits_cached("*", index) == expected
        assert expected & _cron_next.STAR
        assert cron_values._field_bits_cached("?", index) == expected  # "?" reads as "*"
