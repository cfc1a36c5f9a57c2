#!/usr/bin/python3
"""bench_report.py STORMGLASS_JSON NCHAN_JSON OUT_DIR - puts the two runs of
bench_fleet side by side with ratios (stormglassd / nchan), prints the
table and writes OUT_DIR/fleet-vs-nchan.json and .txt."""
import json
import os
import platform
import sys
import time


def ratio(a, b):
    return round(a / b, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def main():
    sg = json.load(open(sys.argv[1]))
    nc = json.load(open(sys.argv[2]))
    out = sys.argv[3]
    rows = [
        ("fan-out deliveries/s", sg["fanout"]["deliveries_per_s"], nc["fanout"]["deliveries_per_s"]),
        ("publish-to-delivery p50 ms", sg["fanout"]["p50_ms"], nc["fanout"]["p50_ms"]),
        ("publish-to-delivery p99 ms", sg["fanout"]["p99_ms"], nc["fanout"]["p99_ms"]),
        ("incomplete fan-outs (2 s)", sg["fanout"]["incomplete_fanouts"], nc["fanout"]["incomplete_fanouts"]),
        ("restart: publishes accepted", sg["restart"]["accepted"], nc["restart"]["accepted"]),
        ("restart: updates missed per subscriber", sg["restart"]["updates_missed_per_sub"],
         nc["restart"]["updates_missed_per_sub"]),
        ("restart: subscribers on a stale final value", sg["restart"]["subs_wrong_final_state"],
         nc["restart"]["subs_wrong_final_state"]),
        ("restart: subscribers dropped", sg["restart"]["subscribers_dropped"], nc["restart"]["subscribers_dropped"]),
        ("restart: resync closes (1012)", sg["restart"]["resync_closes"], nc["restart"]["resync_closes"]),
        ("restart: seconds to recover", sg["restart"]["recover_s"], nc["restart"]["recover_s"]),
    ]
    lines = [f"bench-fleet {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()} ({os.cpu_count()} cpus), "
             f"{sg['subscribers']} subscribers, one process each, same Redis",
             f"{'':44} {'stormglassd':>12} {'nginx+nchan':>12} {'ratio':>7}"]
    for name, a, b in rows:
        r = ratio(a, b)
        lines.append(f"{name:44} {a:>12} {b:>12} {'' if r is None else r:>7}")
    lines.append("ratio = stormglassd / nginx+nchan; one run, loopback, shared 2-core machine.")
    text = "\n".join(lines)
    print(text)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "fleet-vs-nchan.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "fleet-vs-nchan.json"), "w") as f:
        json.dump({"stormglassd": sg, "nchan": nc,
                   "ratios": {name: ratio(a, b) for name, a, b in rows}}, f, indent=1)


if __name__ == "__main__":
    main()
