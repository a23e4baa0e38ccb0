--[[
  Writes messages into a chat channel's window in one step: add or replace by seq (a newer or
  equal version wins), raise the window's last seq, trim to the newest N, refresh TTLs.

  KEYS[1] window  sorted set, score = seq, member = message JSON (has a "version" field)
  KEYS[2] meta    hash, field = channel → the highest seq known for that channel
  ARGV[1] mode    'append'  add every message (new sends)
                  'update'  replace only seqs the window already holds (edits, reactions, pins)
                  'rebuild' drop the window first, then add (an exact copy of the database)
  ARGV[2] max count kept in the window
  ARGV[3] TTL in seconds (window and meta)
  ARGV[4] meta field ('main' | 'backroom')
  ARGV[5] floor for the last seq (the database's last seq on rebuild, else 0)
  ARGV[6..] triples: seq, version, json

  Returns: the window's member count afterwards.
]]
local window, meta = KEYS[1], KEYS[2]
local mode, maxCount, ttl, field = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]

if mode == 'rebuild' then redis.call('DEL', window) end

local last = tonumber(redis.call('HGET', meta, field))
if not last then
  -- Meta lost (evicted or expired) while the window lived: the window's top is the best floor.
  local top = redis.call('ZRANGE', window, -1, -1, 'WITHSCORES')
  last = tonumber(top[2]) or 0
end
last = math.max(last, tonumber(ARGV[5]))

-- Seqs above the window's top cannot be there yet: new sends skip the lookup by seq.
local top = math.huge
if mode ~= 'update' then
  local t = redis.call('ZRANGE', window, -1, -1, 'WITHSCORES')
  top = tonumber(t[2]) or 0
end

local changed = false
for i = 6, #ARGV, 3 do
  local seq, version, json = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), ARGV[i + 2]
  local existing = {}
  if seq <= top then existing = redis.call('ZRANGEBYSCORE', window, seq, seq) end
  local write = mode ~= 'update'
  if #existing > 0 then
    local ok, old = pcall(cjson.decode, existing[1])
    local oldVersion = (ok and type(old) == 'table' and tonumber(old['version'])) or -1
    write = version >= oldVersion
    if write then redis.call('ZREMRANGEBYSCORE', window, seq, seq) end
  end
  if write then
    redis.call('ZADD', window, seq, json)
    changed = true
  end
  if mode ~= 'update' and seq > last then last = seq end
end

if mode ~= 'update' then
  redis.call('HSET', meta, field, last)
  redis.call('EXPIRE', meta, ttl)
end
if changed or mode ~= 'update' then
  redis.call('ZREMRANGEBYRANK', window, 0, -(maxCount + 1))
  redis.call('EXPIRE', window, ttl)
end
return redis.call('ZCARD', window)
