"""One service day of the timetable: the trips that run, shifted to the day.

The previous day's trips after 24:00 and the next day's early trips are included;
trip groups are split so that no trip overtakes another (RAPTOR's routes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from layers.timetable import DAY_S

# Times are packed with the entry number into one sortable int64 key.
TIME_SPAN = 1 << 21
_DAY_CACHE = 4  # service days kept per timetable

# -------------------------------------------------------------- one service day


@dataclasses.dataclass(frozen=True)
class DaySchedule:
    """The trips of one date as RAPTOR scans them.

    An *entry* is one stop of one (overtaking-free) pattern. Entry ``e``'s trips
    are ``col_start[e]`` to ``col_start[e] + entry_trips[e]`` in the column
    arrays, sorted by departure; the trip in row ``k`` of the pattern is at
    ``col_start[e] + k`` in every entry of the pattern.

    Attributes
    ----------
    entry_place, entry_pattern, entry_trips, col_start : numpy.ndarray of int64
    entry_boards, entry_alights : numpy.ndarray of bool
    pattern_first_entry : numpy.ndarray of int64
    arrival, departure : numpy.ndarray of int64
        Seconds after midnight of the date (negative or past 86 400 for trips of
        the day before or after).
    key : numpy.ndarray of int64
        ``entry * TIME_SPAN + departure + DAY_S``, sorted: one ``searchsorted``
        finds the first trip leaving an entry at or after a time.
    trips : int
        Trips in the schedule.
    """

    entry_place: np.ndarray
    entry_pattern: np.ndarray
    entry_trips: np.ndarray
    col_start: np.ndarray
    entry_boards: np.ndarray
    entry_alights: np.ndarray
    pattern_first_entry: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    key: np.ndarray
    trips: int


def day_schedule(tt, day, horizon_s=DAY_S + 6 * 3600):
    """The schedule of service date ``day``, cached on ``tt`` (a few dates).

    Parameters
    ----------
    tt : Timetable
    day : datetime.date
    horizon_s : int
        Latest time (seconds after midnight of ``day``) a query may need; trips
        of the next day that start later are left out.

    Returns
    -------
    DaySchedule
    """
    cache_key = ("day", day, int(horizon_s))
    hit = tt._memo.get(cache_key)
    if hit is not None:
        return hit
    trips, shifts = [], []
    first_dep = tt.departure[tt.trip_start[:-1]].astype("int64")
    last_arr = tt.arrival[tt.trip_start[1:] - 1].astype("int64")
    for offset in (-1, 0, 1):
        running = tt.services_on(day + dt.timedelta(days=offset))[tt.trip_service]
        shift = offset * DAY_S
        running &= (last_arr + shift >= 0) & (first_dep + shift <= horizon_s)
        chosen = np.flatnonzero(running)
        trips.append(chosen)
        shifts.append(np.full(len(chosen), shift, dtype="int64"))
    schedule = _schedule(tt, np.concatenate(trips), np.concatenate(shifts))
    cached = [k for k in tt._memo if k[0] == "day"]
    if len(cached) >= _DAY_CACHE:
        tt._memo.pop(cached[0])
    tt._memo[cache_key] = schedule
    return schedule


def _schedule(tt, trip, shift):
    pattern = tt.trip_pattern[trip]
    start = tt.trip_start[trip]
    first_dep = tt.departure[start].astype("int64") + shift
    order = np.lexsort((first_dep, pattern))
    trip, shift, pattern = trip[order], shift[order], pattern[order]
    groups = _fifo_groups(tt, trip, shift, pattern)
    # groups: list of (pattern, array of positions into trip/shift)
    entry_place, entry_pattern, entry_trips, col_start = [], [], [], []
    boards, alights, first_entry = [], [], []
    arr_cols, dep_cols = [], []
    n_entries, n_cols = 0, 0
    for p_new, (p, rows) in enumerate(groups):
        a, b = tt.pattern_start[p], tt.pattern_start[p + 1]
        length, n = int(b - a), len(rows)
        first_entry.append(n_entries)
        entry_place.append(tt.pattern_place[a:b])
        boards.append(tt.pattern_boards[a:b])
        alights.append(tt.pattern_alights[a:b])
        entry_pattern.append(np.full(length, p_new, dtype="int64"))
        entry_trips.append(np.full(length, n, dtype="int64"))
        col_start.append(n_cols + n * np.arange(length, dtype="int64"))
        idx = tt.trip_start[trip[rows]][:, None] + np.arange(length)[None, :]
        s = shift[rows][:, None]
        arr_cols.append((tt.arrival[idx].astype("int64") + s).T.ravel())
        dep_cols.append((tt.departure[idx].astype("int64") + s).T.ravel())
        n_entries += length
        n_cols += n * length

    def cat(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    departure = cat(dep_cols, "int64")
    entry_trips_a = cat(entry_trips, "int64")
    entry_of_col = np.repeat(np.arange(n_entries, dtype="int64"), entry_trips_a)
    clipped = np.clip(departure + DAY_S, 0, TIME_SPAN - 1)
    return DaySchedule(
        entry_place=cat(entry_place, "int64"),
        entry_pattern=cat(entry_pattern, "int64"),
        entry_trips=entry_trips_a,
        col_start=cat(col_start, "int64"),
        entry_boards=cat(boards, bool),
        entry_alights=cat(alights, bool),
        pattern_first_entry=np.array(first_entry, dtype="int64"),
        arrival=cat(arr_cols, "int64"),
        departure=departure,
        key=entry_of_col * TIME_SPAN + clipped,
        trips=len(trip),
    )


def _fifo_groups(tt, trip, shift, pattern):
    """Split each pattern's trips (sorted by first departure) so none overtakes.

    A trip joins the first group whose last trip it neither leaves before nor
    arrives before at any stop; trips that keep order (nearly all) stay in one
    group, checked at once with arrays.
    """
    groups = []
    if len(trip) == 0:
        return groups
    bounds = np.flatnonzero(np.r_[True, pattern[1:] != pattern[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        p = int(pattern[a])
        length = int(tt.pattern_start[p + 1] - tt.pattern_start[p])
        idx = tt.trip_start[trip[a:b]][:, None] + np.arange(length)[None, :]
        arr = tt.arrival[idx].astype("int64") + shift[a:b, None]
        dep = tt.departure[idx].astype("int64") + shift[a:b, None]
        if b - a == 1 or (
            (np.diff(arr, axis=0) >= 0).all() and (np.diff(dep, axis=0) >= 0).all()
        ):
            groups.append((p, np.arange(a, b)))
            continue
        lasts, members = [], []
        for k in range(b - a):
            for g, last in enumerate(lasts):
                if (arr[k] >= arr[last]).all() and (dep[k] >= dep[last]).all():
                    lasts[g] = k
                    members[g].append(a + k)
                    break
            else:
                lasts.append(k)
                members.append([a + k])
        groups.extend((p, np.array(m, dtype="int64")) for m in members)
    return groups
