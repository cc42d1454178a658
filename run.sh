#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Entry point of the add-on container (CMD ["/run.sh"]). with-contenv provides SUPERVISOR_TOKEN and TZ.
# All configuration is read by the backend itself from /data/options.json (OPTIONS_PATH) and the Supervisor
# services API (SUPERVISOR_API, SUPERVISOR_TOKEN); nothing is built or installed at container start.

bashio::log.info "Starting Smart Meter Reader..."

cd /opt/smart-meter-reader || bashio::exit.nok "Application folder /opt/smart-meter-reader is missing"
# Node flags chosen by measurement (app/bench/nodeFlags.mjs at the real push rate, 60 s warm-up then 10 min, and
# the soak benchmark (app/bench/soak.mjs) with SMR_NODE_FLAGS for 100 000 pushes; README "Performance"). Resident memory (VmRSS) and CPU time
# (utime+stime) of the service:
#                                        1 push/s                 1 push/5 s               soak, 100 000 pushes
#   no flags                             87 -> 95 MB, 176 ms/min  104 -> 90 MB, 84 ms/min  187 -> 195 MB, 0.37 ms/push
#   these flags                          72 -> 74 MB, 204 ms/min   71 -> 74 MB, 85 ms/min   81 ->  82 MB, 0.82 ms/push
#   heaps only (semi 1, old 48)          85 -> 95 MB, 175 ms/min   83 -> 84 MB, 90 ms/min   95 ->  96 MB, 0.58 ms/push
#   --optimize-for-size + heaps          85 -> 84 MB, 213 ms/min   83 -> 87 MB, 85 ms/min   89 ->  92 MB, 0.70 ms/push
# Over 30 min these flags level off at 73-75 MB (1 push/s) and 71-74 MB (1 push/5 s); the V8 heap after full
# collections stays at 24 MB. At the rates a meter really pushes, running without the optimising compiler costs at
# most 30 ms of CPU per minute (0.05 % of a core), and these flags need 10-20 MB less than every other choice (over
# 100 MB less than no flags under load). Their price is decode throughput (about 7x fewer pushes/s in the bare
# decoder); the whole service still handles about 700 pushes/s, and a meter sends at most one.
# Node 24 (the image's runtime) also runs V8's mid-tier compiler (Maglev) by default: with these flags the service
# holds 105 -> 110 MB after 20 000 pushes, with --no-maglev 94 -> 99 MB, end-to-end p99 8.3 ms (app/bench/serviceLatency.mjs
# with SMR_NODE_FLAGS, one run each on 2026-12-03); --jitless gives the same memory and is kept out because it also
# disables WebAssembly. Node 20 measured 82 -> 88 MB with the same build.
NODE_FLAGS="--optimize-for-size --no-turbofan --no-maglev --max-semi-space-size=1 --max-old-space-size=48"
# A Node.js that does not know one of the flags would refuse to start: then start without them.
# shellcheck disable=SC2086
if ! node $NODE_FLAGS -e 0 2>/dev/null; then
  bashio::log.warning "Node.js does not accept ${NODE_FLAGS}; starting without memory flags"
  NODE_FLAGS=""
fi
# shellcheck disable=SC2086
exec node $NODE_FLAGS app/dist/main.js
