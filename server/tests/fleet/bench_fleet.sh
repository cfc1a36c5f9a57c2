#!/usr/bin/env bash
# bench_fleet.sh SERVER_BIN BENCH_BIN SUBSCRIBERS MESSAGES OUT_DIR - stormglassd
# vs nginx + nchan, side by side on the same Redis (run inside
# ci/with-backbone redis, which names it in SG_BACKBONE_*).
#
# Each system gets one process (stormglassd is one event loop; nginx runs
# one worker) on a free loopback port, the same subscribers, publisher and
# Redis restart (kill -9, 3 s down, restart).  nginx's configuration is
# generated into a temp dir and it runs in the foreground of this script,
# never as a service.  The figures of one run and the ratios go to
# OUT_DIR/fleet-vs-nchan.{json,txt}.
set -euo pipefail
server=$1 bench=$2 subs=$3 msgs=$4 out=$5
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sg-bench.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
restart="$root/ci/backbone kill redis $SG_BACKBONE_DIR && sleep 3 && $root/ci/backbone restart redis $SG_BACKBONE_DIR"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# ---- stormglassd ---------------------------------------------------------------
# Twice: --delivery on-echo (every message makes the Redis round trip before
# any subscriber gets it, as with nchan: the like-for-like run) and the
# default immediate (an instance's own publishes reach its own clients at
# once; Redis carries them to the other instances).
run_stormglass() { # DELIVERY OUT
    local port
    port=$(free_port)
    "$server" --port "$port" --backbone "$SG_BACKBONE_URI" --log-level warn --worker-id 1 \
        --max-connections 20000 --delivery "$1" >"$work/stormglassd-$1.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    wait_port "$port" || { cat "$work/stormglassd-$1.log"; exit 1; }
    echo "bench-fleet: stormglassd --delivery $1 on :$port, $subs subscribers, $msgs messages, then a Redis restart"
    "$bench" stormglass "$port" "$subs" "$msgs" "$restart" "$2"
    kill "$pid"
}
run_stormglass on-echo "$work/stormglass-on-echo.json"
run_stormglass immediate "$work/stormglass-immediate.json"

# ---- nginx + nchan ------------------------------------------------------------------
ng_port=$(free_port)
mkdir -p "$work/nginx"
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<EOF
load_module /usr/share/nginx/modules/ngx_nchan_module.so;
$user_line
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    nchan_redis_url "$SG_BACKBONE_URI";
    server {
        listen 127.0.0.1:$ng_port;
        location ~ ^/pub/(\w+)$ { nchan_publisher; nchan_channel_id \$1; nchan_use_redis on; }
        location ~ ^/sub/(\w+)$ { nchan_subscriber websocket; nchan_channel_id \$1; nchan_use_redis on; }
    }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 &
pids+=($!)
wait_port "$ng_port" || { cat "$work/nginx/stdout.log" "$work/nginx/error.log"; exit 1; }
echo "bench-fleet: nginx $(nginx -v 2>&1 | sed 's/.*\///') + nchan on :$ng_port"
"$bench" nchan "$ng_port" "$subs" "$msgs" "$restart" "$work/nchan.json"

/usr/bin/python3 "$here/bench_report.py" "$work/stormglass-on-echo.json" "$work/stormglass-immediate.json" \
    "$work/nchan.json" "$out"
