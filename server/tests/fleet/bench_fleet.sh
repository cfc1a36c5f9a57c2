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
sg_port=$(free_port)
"$server" --port "$sg_port" --backbone "$SG_BACKBONE_URI" --log-level warn --worker-id 1 \
    --max-connections 20000 >"$work/stormglassd.log" 2>&1 &
pids+=($!)
wait_port "$sg_port" || { cat "$work/stormglassd.log"; exit 1; }
echo "bench-fleet: stormglassd on :$sg_port, $subs subscribers, $msgs messages, then a Redis restart"
"$bench" stormglass "$sg_port" "$subs" "$msgs" "$restart" "$work/stormglass.json"
kill "${pids[0]}"

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

/usr/bin/python3 "$here/bench_report.py" "$work/stormglass.json" "$work/nchan.json" "$out"
