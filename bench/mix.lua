-- bench/mix.lua: a wrk script that mixes psinet's reads and writes.
--
--   wrk -s bench/mix.lua URL -- NETWORK_ID SUPERPOSITION_ID
--
-- Every thread cycles through the requests below. Any status other than
-- 200/201 counts as an error; done() prints the totals as one line that
-- bench/loadtest.sh reads: "mix: N requests, N non-2xx, N 5xx".

local network, superposition
local requests = {}
local i = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  network, superposition = args[1], args[2]
  local json = {["Content-Type"] = "application/json"}
  requests = {
    wrk.format("GET", "/healthz"),
    wrk.format("POST", "/v1/superpositions/normalize", json,
               '{"amplitudes":[[1,2],[3,-4],5,6]}'),
    wrk.format("POST", "/v1/layers/forward", json,
               '{"weights":[[1,2,3],[4,5,6]],"bias":[0.5,-0.5],' ..
               '"activation":"tanh","input":[0.1,0.2,0.3]}'),
    wrk.format("POST", "/v1/networks/" .. network .. "/forward", json,
               '{"inputs":[[1,0,0,0],[0,1,0,0]],"trace":true}'),
    wrk.format("POST", "/v1/superpositions/" .. superposition .. "/measure",
               json, '{"shots":1000,"seed":7}'),
    wrk.format("POST", "/v1/experiments", json,
               '{"name":"load","kind":"neuron_activation","tags":["load"],' ..
               '"params":{"amplitudes":[0.6,0.8],"weights":[[1,0],[0,1]],' ..
               '"activation":"sigmoid"}}'),
    wrk.format("GET", "/v1/experiments?limit=20&tag=load"),
    wrk.format("GET", "/v1/superpositions/" .. superposition),
  }
  bad, fivexx = 0, 0
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    bad = bad + 1
    if status >= 500 then fivexx = fivexx + 1 end
  end
end

function done(summary, latency, requests_)
  local b, f = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    f = f + t:get("fivexx")
  end
  io.write(string.format("mix: %d requests, %d non-2xx, %d 5xx, %d socket errors\n",
    summary.requests, b, f,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
