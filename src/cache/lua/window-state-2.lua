--[[
  A window's state in one round trip: what a pod checks before serving a page it kept (PageMemo).
  A new message raises the last seq; a member lost or trimmed changes the count.

  KEYS[1] window  sorted set, score = seq
  KEYS[2] meta    hash, field = channel → last seq
  ARGV[1] meta field ('main' | 'backroom')

  Returns: {-1} when the meta is missing, else {last, count}.
]]
local last = redis.call('HGET', KEYS[2], ARGV[1])
if not last then return {-1} end
return {tonumber(last), redis.call('ZCARD', KEYS[1])}
