"""Rate-limit buckets, pauses and flood counters in Redis, each changed in one atomic step.

Several processes send for one bot; a platform counts their sends together. So the
count lives in Redis, and each step is a Lua script (``register_script``): reading a
bucket and counting a send happen with no other process's step in between, and a send
is counted in all of its buckets or in none. Time comes from the caller (the bot's
clock, in milliseconds or seconds), never from Redis, so that a pause agrees with the
retry time the sender writes on its row.

A bucket is a sorted set of its sends' times (a sliding window, counted the way a
platform counts); a pause, the time it ends; a flood counter, one conversation's leaky
bucket. Every key expires once it can no longer hold anything back, so an idle chat
costs nothing. The client gives up on a silent Redis after ``timeout`` seconds and
never retries by itself: what to do when Redis is gone is the caller's decision
(``handlers.shared_limits`` falls back to its own process's limits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from storage.buckets import Taken, Window

# KEYS: the channel's pause, the chat's pause, then two per window: its sorted set
# of sends, and the time its last send was let go (the pace counts from that).
# ARGV: now (ms), the send's token, then 4 per window: capacity, span (ms), spacing
# (ms), channel-wide (1/0). Returns {wait in ms (0: counted), channel-wide (1/0)}.
TAKE = """
local now = tonumber(ARGV[1])
local wait, wide = 0, 0
local function consider(w, is_wide)
  if w > wait then wait, wide = w, is_wide end
end
consider(tonumber(redis.call('GET', KEYS[1]) or '0') - now, 1)
consider(tonumber(redis.call('GET', KEYS[2]) or '0') - now, 0)
local windows = (#KEYS - 2) / 2
for i = 0, windows - 1 do
  local sends, last_go, at = KEYS[3 + 2 * i], KEYS[4 + 2 * i], 3 + i * 4
  local capacity, span = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local spacing, is_wide = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  redis.call('ZREMRANGEBYSCORE', sends, '-inf', now - span)
  local w = 0
  if spacing > 0 then
    local last = tonumber(redis.call('GET', last_go) or '')
    if last then w = last + spacing - now end
  end
  if redis.call('ZCARD', sends) >= capacity then
    local first = redis.call('ZRANGE', sends, 0, 0, 'WITHSCORES')
    w = math.max(w, tonumber(first[2]) + span - now)
  end
  consider(w, is_wide)
end
if wait > 0 then return {math.ceil(wait), wide} end
for i = 0, windows - 1 do
  local span, spacing = tonumber(ARGV[4 + i * 4]), tonumber(ARGV[5 + i * 4])
  redis.call('ZADD', KEYS[3 + 2 * i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[3 + 2 * i], span + 1000)
  if spacing > 0 then redis.call('SET', KEYS[4 + 2 * i], now, 'PX', spacing + 1000) end
end
return {0, 0}
"""

# KEYS: one sorted set per window the send was counted in. ARGV: now (ms), the send's
# token, then each window's span (ms). The send is counted from now in each (never
# earlier than it was: GT), back in a window that had already let it go.
ANSWERED = """
local now = tonumber(ARGV[1])
for j = 1, #KEYS do
  redis.call('ZADD', KEYS[j], 'GT', now, ARGV[2])
  redis.call('PEXPIRE', KEYS[j], tonumber(ARGV[2 + j]) + 1000)
end
return 0
"""

# KEYS[1]: the pause. ARGV: until (ms), now (ms). A shorter pause never shortens a
# longer one. Returns 1 when the pause was lengthened.
PAUSE = """
local till, now = tonumber(ARGV[1]), tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') >= till then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(till - now, 1) + 1000)
return 1
"""

# KEYS[1]: one conversation's bucket (level, at, warned). ARGV: now (s), rate, period
# (s). The same arithmetic as handlers.flood.FloodGate. Returns {admitted, first
# refusal}, each 1/0.
FLOOD = """
local now, rate, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or '0')
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or ARGV[1])
level = math.max(level - math.max(now - at, 0) * rate / period, 0)
local admitted, first = 0, 0
if level + 1 <= rate then
  level, admitted = level + 1, 1
else
  local warned = tonumber(redis.call('HGET', KEYS[1], 'warned') or tostring(now - period))
  if now - warned >= period then
    first = 1
    redis.call('HSET', KEYS[1], 'warned', ARGV[1])
  end
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(period * 2000) + 1000)
return {admitted, first}
"""


class RedisBuckets:
    """The atomic steps over one Redis, every key under ``prefix``.

    Each method raises what the client raises (``redis.exceptions.RedisError``,
    ``OSError``) when Redis cannot be reached or answers an error; the caller decides.
    The repr never shows the URL: it may hold a password.
    """

    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self.prefix = prefix
        self._take = client.register_script(TAKE)
        self._answered = client.register_script(ANSWERED)
        self._pause = client.register_script(PAUSE)
        self._flood = client.register_script(FLOOD)

    @classmethod
    def from_url(cls, url: str, prefix: str, *, timeout: float = 1.0) -> RedisBuckets:
        """A client for ``url`` that connects on first use, waits at most ``timeout``
        seconds for Redis to connect or answer, and does not retry."""
        client = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(client, prefix)

    def __repr__(self) -> str:
        return f"RedisBuckets(prefix={self.prefix!r})"

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    async def take(
        self, now_ms: int, token: str, pauses: tuple[str, str], windows: Sequence[Window]
    ) -> Taken:
        """Count one send (``token``, unique per send) in every window, if every one
        has room and neither pause (the channel's, the chat's) is running."""
        keys = [self._key(pauses[0]), self._key(pauses[1])]
        args: list[Any] = [now_ms, token]
        for window in windows:
            keys += [self._key(window.key), self._key(f"{window.key}:last")]
            args += [window.capacity, window.span_ms, window.spacing_ms, int(window.channel_wide)]
        wait_ms, wide = await self._take(keys=keys, args=args)
        return Taken(int(wait_ms) / 1000, bool(wide))

    async def answered(self, now_ms: int, token: str, windows: Sequence[Window]) -> None:
        """Count the send ``token`` from ``now_ms`` in each of ``windows``: its answer
        came back then, so the platform cannot have counted it later."""
        keys = [self._key(window.key) for window in windows]
        await self._answered(keys=keys, args=[now_ms, token, *(w.span_ms for w in windows)])

    async def pause(self, key: str, until_ms: int, now_ms: int) -> bool:
        """Hold back the sends counted under pause ``key`` until ``until_ms``; whether
        that lengthened the pause (a shorter one never shortens a longer one)."""
        return bool(await self._pause(keys=[self._key(key)], args=[until_ms, now_ms]))

    async def flood(self, key: str, now: float, rate: int, period: float) -> tuple[bool, bool]:
        """One more message in conversation ``key`` at ``now`` (seconds): (admitted,
        first refusal), ``rate`` messages per ``period`` seconds in bursts up to ``rate``."""
        admitted, first = await self._flood(keys=[self._key(key)], args=[repr(now), rate, period])
        return bool(admitted), bool(first)

    async def close(self) -> None:
        """Close the client's connections; never raises."""
        try:
            await self._client.aclose()
        except Exception:  # closing a connection to a Redis that is gone
            return
