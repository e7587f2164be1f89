-- wrk load: request i carries a distinct MessageSid and its pre-computed signature
-- (wrk's Lua cannot compute HMAC-SHA1), so no request is a duplicate of another.
local sigs = {}
local n = 0
local i = 0
local path = "/sms/status"
local template = "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01"
  .. "&From=%%2B15017250604&MessageSid=%s&MessageStatus=%s&SmsSid=%s"
  .. "&SmsStatus=%s&To=%%2B15558675310"
local statuses = { [0] = "sent", [1] = "delivered" }
local made = 0

-- With WRK_PORTS="p1,p2" and -tN, thread k sends to port k (round robin): one wrk spreads
-- over replicas. Threads take interleaved request numbers, so none repeats another's.
function setup(thread)
  made = made + 1
  thread:set("id", made)
  local ports = {}
  for port in string.gmatch(os.getenv("WRK_PORTS") or "", "%d+") do
    ports[#ports + 1] = port
  end
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(made - 1) % #ports + 1])[1]
  end
end

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    sigs[n] = line
  end
  step = tonumber(args[2] or "1")
  i = (id or 1) - step
end

function request()
  i = i + step
  if i > n then i = i - n end
  local sid = string.format("SM%032x", i)
  local status = statuses[i % 2]
  local body = string.format(template, sid, status, sid, status)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = sigs[i],
    ["I-Twilio-Idempotency-Token"] = string.format("bench-%d", i),
  }
  return wrk.format("POST", path, headers, body)
end
