--[[
  Writes pins into a chat's pinned set: one message's pin is replaced (matched by its "id"), or the
  whole set is rebuilt; expired pins are dropped and the TTL refreshed. 'set' writes only into a set
  that exists: an absent one is not cached (Redis keeps no empty set), and one pin alone would hide
  the others the database holds.

  KEYS[1] pinned  sorted set, score = pinned_until (ms), member = message JSON (has an "id" field)
  ARGV[1] mode    'set' (replace one message's pin) | 'rebuild' (replace the whole set)
  ARGV[2] now (ms)
  ARGV[3] TTL in seconds
  ARGV[4..] triples: pinned_until_ms, message id, json

  Returns: the number of active pins afterwards, or -1 when 'set' found no set and wrote nothing.
]]
local key, mode, now, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

if mode == 'rebuild' then
  redis.call('DEL', key)
elseif redis.call('EXISTS', key) == 0 then
  return -1
else
  local ids = {}
  for i = 4, #ARGV, 3 do ids[ARGV[i + 1]] = true end
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    local ok, pin = pcall(cjson.decode, member)
    if not ok or type(pin) ~= 'table' or ids[pin['id']] then redis.call('ZREM', key, member) end
  end
end

for i = 4, #ARGV, 3 do
  local untilMs = tonumber(ARGV[i])
  if untilMs > now then redis.call('ZADD', key, untilMs, ARGV[i + 2]) end
end

redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local count = redis.call('ZCARD', key)
if count > 0 then redis.call('EXPIRE', key, ttl) end
return count
