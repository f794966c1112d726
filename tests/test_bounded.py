"""What the bot remembers per user or chat stays bounded, and still does its job."""

from __future__ import annotations

from bot.bounded import AdminCache, BoundedMap, FloodBuckets, RecordedChats
from bot.context import BotData

MANY = 100_000


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_every_per_user_map_of_bot_data_stays_under_its_cap() -> None:
    data = BotData()
    for user in range(MANY):
        data.flood_buckets.admit(user)
        data.admin_cache.put((-100, user), False)
        data.recorded_chats.put(user, ("Chat", "fr"))
    assert 0 < len(data.flood_buckets) <= 10_000
    assert 0 < len(data.admin_cache) <= 10_000
    assert 0 < len(data.recorded_chats) <= 10_000


def test_a_bounded_map_forgets_the_least_recently_used_first() -> None:
    kept: BoundedMap[int, str] = BoundedMap(ttl=60, max_size=3)
    for key in (1, 2, 3):
        kept.put(key, str(key))
    assert kept.get(1) == "1"  # read: now the most recent
    kept.put(4, "4")
    assert len(kept) == 3
    assert kept.get(2) is None
    assert [kept.get(key) for key in (1, 3, 4)] == ["1", "3", "4"]


def test_a_bounded_map_forgets_an_entry_once_it_expired() -> None:
    clock = Clock()
    kept: BoundedMap[str, int] = BoundedMap(ttl=10, clock=clock)
    kept.put("a", 1)
    clock.now += 9.9
    assert kept.get("a") == 1
    clock.now += 0.2
    assert kept.get("a") is None
    assert len(kept) == 0


def test_a_bounded_map_forgets_on_request() -> None:
    kept: BoundedMap[int, int] = BoundedMap(ttl=10)
    kept.put(1, 1)
    kept.forget(1)
    kept.forget(2)  # unknown: nothing to do
    assert kept.get(1) is None


def test_flood_buckets_let_a_burst_through_then_warn_once_then_drop() -> None:
    clock = Clock()
    buckets = FloodBuckets(burst=8, rate=2.0, clock=clock)
    assert [buckets.admit(7) for _ in range(8)] == ["pass"] * 8
    assert [buckets.admit(7) for _ in range(3)] == ["warn", "drop", "drop"]
    assert buckets.admit(8) == "pass"  # another user is not slowed down
    clock.now += 0.5  # one token back at two a second
    assert buckets.admit(7) == "pass"
    assert buckets.admit(7) == "warn"  # a new flood is told again


def test_a_flood_bucket_refills_whether_or_not_it_was_forgotten() -> None:
    clock = Clock()
    buckets = FloodBuckets(burst=8, rate=2.0, clock=clock)
    for _ in range(9):
        buckets.admit(7)
    clock.now += 3.9  # not yet forgotten: 7.8 tokens are back
    assert [buckets.admit(7) for _ in range(8)] == ["pass"] * 7 + ["warn"]
    clock.now += 4.0  # forgotten: a full bucket again, as a refill would have given
    assert len(buckets) == 1
    assert [buckets.admit(7) for _ in range(9)] == ["pass"] * 8 + ["warn"]


def test_flood_buckets_stay_under_their_cap() -> None:
    buckets = FloodBuckets(max_size=500)
    for user in range(MANY):
        assert buckets.admit(user) == "pass"
    assert len(buckets) == 500


def test_admin_answers_are_kept_five_minutes() -> None:
    clock = Clock()
    cache = AdminCache(clock=clock)
    cache.put((-100, 1), True)
    cache.put((-100, 2), False)
    clock.now += 299
    assert (cache.get((-100, 1)), cache.get((-100, 2))) == (True, False)
    clock.now += 2
    assert cache.get((-100, 1)) is None


def test_recorded_chats_are_written_again_after_ten_minutes() -> None:
    clock = Clock()
    recorded = RecordedChats(clock=clock)
    recorded.put(5, ("Rédaction", "fr"))
    clock.now += 599
    assert recorded.get(5) == ("Rédaction", "fr")
    clock.now += 2
    assert recorded.get(5) is None
