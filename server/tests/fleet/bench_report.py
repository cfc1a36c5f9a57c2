#!/usr/bin/python3
"""bench_report.py ON_ECHO_JSON IMMEDIATE_JSON NCHAN_JSON OUT_DIR - puts the
runs of bench_fleet side by side: stormglassd with --delivery on-echo (every
message through Redis, like nchan: the ratios use this one), stormglassd
with the default immediate delivery (local clients served at once, Redis
only between instances), and nginx+nchan.  Prints the table and writes
OUT_DIR/fleet-vs-nchan.json and .txt."""
import json
import os
import platform
import sys
import time


def ratio(a, b):
    return round(a / b, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def main():
    sg = json.load(open(sys.argv[1]))
    im = json.load(open(sys.argv[2]))
    nc = json.load(open(sys.argv[3]))
    out = sys.argv[4]
    def pick(path):
        a, b = path
        return sg[a][b], im[a][b], nc[a][b]

    keys = [("fan-out deliveries/s", ("fanout", "deliveries_per_s")),
            ("publish-to-delivery p50 ms", ("fanout", "p50_ms")),
            ("publish-to-delivery p99 ms", ("fanout", "p99_ms")),
            ("incomplete fan-outs (2 s)", ("fanout", "incomplete_fanouts")),
            ("restart: publishes accepted (of 280)", ("restart", "accepted")),
            ("restart: updates missed per subscriber", ("restart", "updates_missed_per_sub")),
            ("restart: subscribers on a stale final value", ("restart", "subs_wrong_final_state")),
            ("restart: subscribers dropped", ("restart", "subscribers_dropped")),
            ("restart: resync closes (1012)", ("restart", "resync_closes")),
            ("restart: seconds to recover", ("restart", "recover_s"))]
    rows = [(name,) + pick(path) for name, path in keys]
    lines = [f"bench-fleet {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()} ({os.cpu_count()} cpus), "
             f"{sg['subscribers']} subscribers, one process each, same Redis",
             f"{'':44} {'sg on-echo':>11} {'sg immed.':>11} {'nginx+nchan':>12} {'ratio':>7}"]
    for name, a, i, b in rows:
        r = ratio(a, b)
        lines.append(f"{name:44} {a:>11} {i:>11} {b:>12} {'' if r is None else r:>7}")
    lines.append("ratio = stormglassd (on-echo: every message through Redis, as nchan) / nginx+nchan;")
    lines.append("one run, loopback, one shared 2-core machine (servers, Redis and the load client together).")
    text = "\n".join(lines)
    print(text)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "fleet-vs-nchan.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "fleet-vs-nchan.json"), "w") as f:
        json.dump({"stormglassd_on_echo": sg, "stormglassd_immediate": im, "nchan": nc,
                   "ratios_on_echo_vs_nchan": {name: ratio(a, b) for name, a, _, b in rows}}, f, indent=1)


if __name__ == "__main__":
    main()
