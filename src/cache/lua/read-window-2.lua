--[[
  Reads one page's seq range from a chat channel's window, with the channel's last seq, in one
  round trip. The range arithmetic mirrors src/cache/page-range.ts.

  KEYS[1] window  sorted set, score = seq
  KEYS[2] meta    hash, field = channel → last seq
  ARGV[1] meta field ('main' | 'backroom')
  ARGV[2] mode    'newest' | 'before' | 'after'
  ARGV[3] cursor  the `before` or `after` seq (ignored for 'newest')
  ARGV[4] limit

  Returns: {-1} when the meta is missing (the cache knows nothing of the chat), else
           {last, lo, hi, {member1, score1, member2, score2, …}, count} with members ascending by
           seq and count the window's size (with last, what tells a kept page still current).
]]
local last = redis.call('HGET', KEYS[2], ARGV[1])
if not last then return {-1} end
last = tonumber(last)
local mode, cursor, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])

local lo, hi
if mode == 'newest' then
  hi = last
  lo = math.max(1, last - limit + 1)
elseif mode == 'before' then
  hi = math.min(cursor - 1, last)
  lo = math.max(1, hi - limit + 1)
else
  lo = math.max(1, cursor + 1)
  hi = math.min(last, cursor + limit)
end

local count = redis.call('ZCARD', KEYS[1])
if lo > hi then return {last, lo, hi, {}, count} end
return {last, lo, hi, redis.call('ZRANGEBYSCORE', KEYS[1], lo, hi, 'WITHSCORES'), count}
