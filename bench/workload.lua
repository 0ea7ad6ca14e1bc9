-- wrk script: rotate requests and signed-in users, count unexpected answers.
-- Arguments after "--": requests file, users file, expected statuses ("200,204").
-- requests file, tab-separated: role, method, path, body, htmx (1 or 0)
-- users file, tab-separated: role, session cookie, CSRF token, patient id, since id

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

local function fill(text, user, uid)
  text = text:gsub("{csrf}", user.csrf)
  text = text:gsub("{uid}", uid)
  text = text:gsub("{patient}", user.patient)
  text = text:gsub("{since}", user.since)
  return text
end

function init(args)
  plan, users, turns = {}, {}, {}
  for line in io.lines(args[1]) do
    local f = split(line)
    table.insert(plan, {role = f[1], method = f[2], path = f[3], body = f[4], htmx = f[5] == "1"})
  end
  for line in io.lines(args[2]) do
    local f = split(line)
    users[f[1]] = users[f[1]] or {}
    table.insert(users[f[1]], {cookie = f[2], csrf = f[3], patient = f[4], since = f[5]})
  end
  expected = {}
  for code in args[3]:gmatch("%d+") do
    expected[tonumber(code)] = true
  end
  -- Threads start at different places in the rotation, so they do not move in step.
  sent = thread_number * 7919
  statuses, unexpected = {}, 0
end

function request()
  sent = sent + 1
  local r = plan[sent % #plan + 1]
  local pool = users[r.role]
  turns[r.role] = (turns[r.role] or thread_number * 104729) + 1
  local user = pool[turns[r.role] % #pool + 1]
  local uid = thread_number .. "-" .. sent
  -- As a phone's browser asks, so the app's gzip of each page is in the figures.
  local headers = {["Accept-Encoding"] = "gzip, deflate, br"}
  if user.cookie ~= "" then
    headers["Cookie"] = "__Host-ww_session=" .. user.cookie
  end
  if r.htmx then
    headers["HX-Request"] = "true"
    headers["X-CSRFToken"] = user.csrf
  end
  local body = nil
  if r.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = fill(r.body, user, uid)
  end
  return wrk.format(r.method, fill(r.path, user, uid), headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local location = headers["Location"] or headers["location"] or ""
  if not expected[status] or location:find("sign%-in") then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local all, odd = {}, 0
  for _, thread in ipairs(threads) do
    odd = odd + thread:get("unexpected")
    for code, count in pairs(thread:get("statuses")) do
      all[#all + 1] = string.format("[%d, %d]", code, count)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.3f, "p50_us": %d, "p95_us": %d,'
      .. ' "p99_us": %d, "max_us": %d, "socket_errors": %d, "http_errors": %d,'
      .. ' "unexpected": %d, "statuses": [%s]}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status, odd, table.concat(all, ", ")))
end
