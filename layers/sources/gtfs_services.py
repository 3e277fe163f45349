"""Which trips run: a GTFS feed's services on a day, its period, the reference day.

Split from :mod:`layers.sources.gtfs` (the importer).
"""

from __future__ import annotations

import datetime as dt
import statistics

import pandas as pd

from layers.errors import InputError
from layers.sources.gtfs_zip import TUESDAY, WEEKDAYS


def _active_services(calendar, calendar_dates, day):
    """Service ids running on ``day`` (calendar weekdays plus/minus exceptions)."""
    stamp = pd.Timestamp(day)
    active = set()
    if calendar is not None:
        on = (
            calendar[WEEKDAYS[day.weekday()]]
            & (calendar["start"] <= stamp)
            & (calendar["end"] >= stamp)
        )
        active.update(calendar.loc[on, "service_id"])
    if calendar_dates is not None:
        today = calendar_dates[calendar_dates["date"] == stamp]
        active.update(today.loc[today["added"], "service_id"])
        active.difference_update(today.loc[~today["added"], "service_id"])
    return active


def _active_trips(trips, calendar, calendar_dates, day):
    """Boolean Series over ``trips``: does the trip run on ``day``."""
    return trips["service_id"].isin(_active_services(calendar, calendar_dates, day))


def _feed_period(calendar, calendar_dates):
    starts, ends = [], []
    if calendar is not None and not calendar.empty:
        starts.append(calendar["start"].min())
        ends.append(calendar["end"].max())
    if calendar_dates is not None and not calendar_dates.empty:
        starts.append(calendar_dates["date"].min())
        ends.append(calendar_dates["date"].max())
    if not starts:
        return None
    return min(starts).date(), max(ends).date()


def _reference_date(date, calendar, calendar_dates, trips, zip_name):
    period = _feed_period(calendar, calendar_dates)
    span = "no dates" if period is None else f"{period[0]} to {period[1]}"
    if date is not None:
        day = _as_date(date)
        if not _active_trips(trips, calendar, calendar_dates, day).any():
            raise InputError(
                f"no trip runs on {day.isoformat()} ({day:%A}); the feed's calendar "
                f"covers {span}. Choose a date with service.",
                file=zip_name,
                field="date",
            )
        return day
    if period is not None:
        trips_per_day = _weekday_trips(trips, calendar, calendar_dates, period)
        served = [n for n in trips_per_day.values() if n > 0]
        if served:
            median = statistics.median_low(served)
            for day, n in trips_per_day.items():
                if day.weekday() == TUESDAY and n > 0 and n >= median:
                    return day
    raise InputError(
        f"no Tuesday of the feed's calendar ({span}) has the feed's usual weekday "
        "service; pass a reference date",
        file=zip_name,
        field="date",
    )


MAX_CALENDAR_DAYS = 800  # a feed's calendar is about a year; bounds the scan


def _weekday_trips(trips, calendar, calendar_dates, period):
    """Trips running on each weekday (Monday-Friday) of the feed's period.

    The reference date is the first Tuesday with at least the median of these
    counts (the lower median) over the weekdays with service, so that a holiday week (Christmas,
    Easter, the summer timetable) at the start of a feed is passed over.
    """
    per_service = trips["service_id"].value_counts()
    start, end = period
    end = min(end, start + dt.timedelta(days=MAX_CALENDAR_DAYS))
    out = {}
    day = start
    while day <= end:
        if day.weekday() < 5:
            active = _active_services(calendar, calendar_dates, day)
            out[day] = int(per_service.reindex(list(active)).fillna(0).sum())
        day += dt.timedelta(days=1)
    return out


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(
            f"expected a date YYYY-MM-DD, got {value!r}", field="date"
        ) from None
