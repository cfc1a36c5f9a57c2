#!/usr/bin/python3
"""fleet.py - fleet fault test of stormglassd on one real backbone.

Run through ci/with-backbone (which starts the backbone and names it in the
environment):

    ci/with-backbone redis -- server/tests/fleet/fleet.py --server build/cc-release/stormglassd

Three instances share the backbone; 300 WebSocket subscribers are spread
over them; a publisher posts at a steady rate, each topic through its one
owner instance.  Phases, each followed by a quiet convergence check:

  warmup              nothing breaks
  kill-9              the backbone is killed (kill -9) and restarted
  sigstop             the backbone is frozen (SIGSTOP) then resumed: half-open
                      sessions that only the core's watchdog notices
  flap-x5             killed and restarted five times in a row
  outage-publish-one  killed; only instance 0 publishes while it is down;
                      restarted; nobody publishes after: instance 0's updates
                      must reach every subscriber on every instance

A phase passes when no subscriber was dropped (1012 resync closes followed
by a reconnect are counted apart: they are the protocol working), every
/healthcheck answer was 200, no instance exited, and within the bound every
subscriber's state equals the backbone's stored truth, which equals the last
value accepted for every topic.  Then two short cases:

  give-up   one instance with --reconnect-max-retries 3, backbone kept down:
            /healthcheck 200 while it retries, 503 when retries are
            exhausted, exit code 3
  legacy    the same fleet with STORMGLASS_RECONNECT_ENABLED=false and one
            kill: the negative control, it must show the storm (drops)

Prints a results table and writes it as JSON to --report DIR/<kind>.json.
--soak replaces the phases with 50 kills over 10 minutes.  Exit 0 = pass.
"""
import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleet_clients import HealthWatch, Http, Publisher, Recorder, Subscriber, ws_states  # noqa: E402
from fleet_procs import CREATED_DIRS, Backbone, Instance, ProbeTruth, tempdir, truth_postgres, truth_redis  # noqa: E402

RSS_BOUND_KIB = 256 * 1024
TOPICS = [f"fleet.t{i:02d}" for i in range(12)]
TOPICS_PER_SUB = 4

# Short timings so the whole run stays within CI's budget; the shape of
# every fault survives the shortening (see docs/ARCHITECTURE.md).
SERVER_ARGS = ["--log-level", "info", "--backoff-min-seconds", "0.2", "--backoff-max-seconds", "1",
               "--connect-timeout-seconds", "2", "--watchdog", "3s", "--heartbeat", "1s",
               "--resync-settle-seconds", "1", "--resync-settle-jitter-seconds", "0.5",
               "--resync-window", "2s", "--resync-cooldown", "5s"]


class Fleet:
    def __init__(self, args, backbone, n, extra_args=(), env=None, subscribers=None):
        self.args, self.backbone = args, backbone
        self.logdir = tempdir(backbone.kind)
        self.rec = Recorder()
        self.instances = [Instance(args.server, i + 1, backbone.uri, SERVER_ARGS + list(extra_args), env or {},
                                   self.logdir) for i in range(n)]
        for inst in self.instances:
            if not inst.wait_listening():
                for i in self.instances:
                    i.stop()
                raise RuntimeError(f"stormglassd {inst.worker_id} did not start: see {inst.log_path}")
        ports = [i.port for i in self.instances]
        count = args.subscribers if subscribers is None else subscribers
        self.subs = [Subscriber(k, ports[k % n], self._topics_of(k), self.rec) for k in range(count)]
        self.publisher = Publisher(ports, TOPICS, self.rec)
        self.health = HealthWatch(ports, self.rec)
        self.stop_event = asyncio.Event()
        self.pub_stop = None
        self.tasks = []
        self.rss_by_phase = {}

    @staticmethod
    def _topics_of(k):
        return [TOPICS[(k + j * 3) % len(TOPICS)] for j in range(TOPICS_PER_SUB)]

    async def start(self):
        for s in self.subs:
            s.task = asyncio.create_task(s.run())
        self.tasks.append(asyncio.create_task(self.health.run(self.stop_event)))
        self.tasks.append(asyncio.create_task(self._sample_rss()))

    async def _sample_rss(self):
        while not self.stop_event.is_set():
            for inst in self.instances:
                inst.sample_rss()
                key = self.rec.phase
                self.rss_by_phase[key] = max(self.rss_by_phase.get(key, 0), inst.rss_last_kib)
            await asyncio.sleep(0.5)

    def publishing(self, on, only=None):
        if on and self.pub_stop is None:
            self.publisher.only = only
            self.pub_stop = asyncio.Event()
            self.tasks.append(asyncio.create_task(self.publisher.run(self.args.rate, self.pub_stop)))
        elif not on and self.pub_stop is not None:
            self.pub_stop.set()
            self.pub_stop = None

    async def truth(self):
        kind = self.backbone.kind
        loop = asyncio.get_running_loop()
        if kind == "redis":
            return await loop.run_in_executor(None, truth_redis, self.backbone.uri)
        if kind == "postgres":
            return await loop.run_in_executor(None, truth_postgres, self.backbone.uri)
        probe = ProbeTruth(self.args.server, self.backbone.uri, self.logdir)
        return await probe.read(TOPICS, ws_states)

    async def converge(self, timeout):
        """Seconds until subscribers == stored truth == last accepted, or None."""
        t0 = time.monotonic()
        detail = ""
        while time.monotonic() - t0 < timeout:
            await asyncio.sleep(0.5)
            try:
                truth = await self.truth()
            except Exception as e:  # the backbone may still be coming back
                detail = f"truth unreadable: {e}"
                continue
            lost = [t for t, v in self.publisher.last.items() if truth.get(t) != v]
            unsettled = [s for s in self.subs if not s.settled()]
            wrong = [s for s in self.subs if s.settled() and
                     any(s.state.get(t) != truth.get(t) for t in s.topics)]
            if not lost and not unsettled and not wrong:
                return time.monotonic() - t0, ""
            detail = (f"{len(lost)} topics differ from the last accepted value {lost[:3]}, "
                      f"{len(unsettled)} subscribers not settled, {len(wrong)} with a stale state")
            if wrong:
                w = wrong[0]
                t = next(t for t in w.topics if w.state.get(t) != truth.get(t))
                ports = sorted({s.port for s in wrong})
                detail += (f" (on ports {ports}; e.g. subscriber {w.idx} has {t}={w.state.get(t)}, "
                           f"truth {truth.get(t)})")
        return None, detail

    def exited(self):
        return [(i.worker_id, i.exited()) for i in self.instances if i.exited() is not None]

    async def stop(self):
        self.publishing(False)
        self.stop_event.set()
        for s in self.subs:
            s.stopping = True
        for t in self.tasks:
            t.cancel()
        subs = [s.task for s in self.subs if s.task is not None]
        for t in subs:
            t.cancel()
        await asyncio.gather(*self.tasks, *subs, return_exceptions=True)
        loop = asyncio.get_running_loop()
        return await asyncio.gather(*[loop.run_in_executor(None, i.stop) for i in self.instances])


# ---- phases ---------------------------------------------------------------------


async def outage(fleet, down_s):
    await fleet.backbone.aop("kill")
    await asyncio.sleep(down_s)
    await fleet.backbone.aop("restart")


async def phase_warmup(fleet, args):
    await asyncio.sleep(2)


async def phase_kill(fleet, args):
    await asyncio.sleep(1)
    await outage(fleet, args.down)
    await asyncio.sleep(3)


async def phase_sigstop(fleet, args):
    await asyncio.sleep(1)
    await fleet.backbone.aop("stop")
    await asyncio.sleep(args.stop_seconds)
    await fleet.backbone.aop("cont")
    await asyncio.sleep(3)


async def phase_flap(fleet, args):
    for _ in range(5):
        await outage(fleet, 0.7)
        await asyncio.sleep(0.8)
    await asyncio.sleep(3)


async def phase_publish_one(fleet, args):
    fleet.publishing(False)
    await asyncio.sleep(0.5)
    await fleet.backbone.aop("kill")
    fleet.publishing(True, only=0)
    await asyncio.sleep(args.down)
    fleet.publishing(False)
    await fleet.backbone.aop("restart")


async def phase_soak(fleet, args):
    rng = random.Random(7)
    for k in range(args.soak_kills):
        await outage(fleet, rng.uniform(2.0, 5.0))
        await asyncio.sleep(rng.uniform(5.0, 8.0))
        print(f"  soak: kill {k + 1}/{args.soak_kills} done, drops so far "
              f"{sum(s.drops for s in fleet.subs)}", flush=True)


PHASES = [("warmup", phase_warmup), ("kill-9", phase_kill), ("sigstop", phase_sigstop),
          ("flap-x5", phase_flap), ("outage-publish-one", phase_publish_one)]

# Every phase is a transient outage, so every /healthcheck answer must be
# 200.  The core's rule (docs/ARCHITECTURE.md, health): one silent session
# is an outage the watchdog heals; only SG_BCAST_DEAF_SESSIONS_UNHEALTHY
# silent sessions in a row are a wedge (503 bad-deaf).  The `deaf` column
# shows how many of the non-200 answers were bad-deaf, to name the rule.
DEAF_REASON = b'"reason":"bad-deaf"'


async def run_phase(fleet, name, fn, args):
    fleet.rec.phase = name
    fleet.publishing(True)
    t0 = time.monotonic()
    await fn(fleet, args)
    fleet.publishing(False)
    seconds, detail = await fleet.converge(args.converge_timeout)
    mine = [u for u in fleet.health.unhealthy if u[0] == name]
    deaf = [u for u in mine if u[2] == 503 and DEAF_REASON in u[3]]
    row = {"phase": name, "seconds": round(time.monotonic() - t0, 1),
           "drops": fleet.rec.get(name, "drops"), "resync_closes": fleet.rec.get(name, "resync_closes"),
           "health_non_200": len(mine), "health_503_deaf": len(deaf),
           "published": fleet.rec.get(name, "published"),
           "publish_refused": fleet.rec.get(name, "publish_refused"),
           "converged_s": None if seconds is None else round(seconds, 1),
           "rss_max_mib": round(fleet.rss_by_phase.get(name, 0) / 1024, 1),
           "exited": fleet.exited(), "detail": detail,
           "health_samples": [f"i{u[1]}:{u[2]}:{u[3][:90]!r}" for u in fleet.health.unhealthy if u[0] == name][:3]}
    row["pass"] = (row["drops"] == 0 and row["health_non_200"] == 0 and seconds is not None and not row["exited"]
                   and row["publish_refused"] == 0 and fleet.rss_by_phase.get(name, 0) < RSS_BOUND_KIB)
    if not row["pass"] and not detail:
        row["detail"] = f"health: {row['health_samples']}"
    return row


# ---- the short cases ---------------------------------------------------------------


async def case_give_up(args, backbone):
    fleet = Fleet(args, backbone, 1, ["--reconnect-max-retries", "3", "--backoff-max-seconds", "0.4"],
                  subscribers=20)
    try:
        return await give_up_checks(fleet, backbone)
    finally:
        await fleet.stop()


async def give_up_checks(fleet, backbone):
    """Backbone down for good: 200 while the reader retries, then the core's
    give-up (health bad-given-up, exit 3).  The server closes idle HTTP
    connections when it begins its shutdown, so the 503 itself is visible
    only to a request in flight at that instant: the health log line and
    the answers' order (200s, then 503 or gone, never 200 again) are checked."""
    fleet.rec.phase = "give-up"
    await fleet.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(s.settled() for s in fleet.subs):
        await asyncio.sleep(0.1)
    settled = all(s.settled() for s in fleet.subs)
    await backbone.aop("kill")  # and keep it down: subscribers keep the reader wanted, retries run out
    inst = fleet.instances[0]
    probe = Http(inst.port)  # its own connection: the health watcher reads the other one
    answers = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and inst.exited() is None:
        status, _ = await probe.request("GET", "/healthcheck")
        answers.append(status)
        await asyncio.sleep(0.05)
    probe.close()
    try:
        code = inst.proc.wait(15)
    except Exception:
        code = None
    await backbone.aop("restart")
    with open(inst.log_path) as f:
        unhealthy = re.findall(r"event=health healthy=false reason=(\S+)", f.read())
    first_bad = next((i for i, a in enumerate(answers) if a != 200), len(answers))
    ok = bool(settled and first_bad > 0 and all(a != 200 for a in answers[first_bad:]) and unhealthy
              and unhealthy[0] == "bad-given-up" and code == 3)
    return {"phase": "give-up (max-retries 3, backbone down)", "answers_200_while_retrying": first_bad,
            "answers_after": sorted(set(answers[first_bad:])), "first_unhealthy_reason": unhealthy[:1],
            "exit_code": code, "pass": ok}


async def case_legacy(args, backbone):
    fleet = Fleet(args, backbone, 3, env={"STORMGLASS_RECONNECT_ENABLED": "false"})
    try:
        return await legacy_checks(fleet, args)
    finally:
        await fleet.stop()


async def legacy_checks(fleet, args):
    fleet.rec.phase = "legacy"
    await fleet.start()
    fleet.publishing(True)
    await asyncio.sleep(2)
    before = sum(s.drops for s in fleet.subs)
    await outage(fleet, args.down)
    await asyncio.sleep(4)
    drops = sum(s.drops for s in fleet.subs) - before
    exited = fleet.exited()
    return {"phase": "legacy (STORMGLASS_RECONNECT_ENABLED=false)", "drops": drops,
            "health_non_200": fleet.rec.get("legacy", "health_non_200"), "exited": exited,
            "pass": drops > 0, "note": "negative control: the storm must show"}


# ---- report ------------------------------------------------------------------------


def print_table(kind, rows, cases):
    print(f"\nfleet test, backbone {kind}: 3 instances, {ARGS.subscribers} subscribers, "
          f"{ARGS.rate}/s publishes")
    head = f"{'phase':<20} {'secs':>5} {'drops':>5} {'1012s':>5} {'!200':>5} {'deaf':>5} {'pubs':>5} " \
           f"{'refus':>5} {'conv_s':>6} {'rssMiB':>6}  result"
    print(head)
    print("-" * len(head))
    for r in rows:
        conv = "-" if r["converged_s"] is None else f"{r['converged_s']:.1f}"
        print(f"{r['phase']:<20} {r['seconds']:>5.0f} {r['drops']:>5} {r['resync_closes']:>5} "
              f"{r['health_non_200']:>5} {r['health_503_deaf']:>5} {r['published']:>5} {r['publish_refused']:>5} {conv:>6} "
              f"{r['rss_max_mib']:>6.1f}  {'PASS' if r['pass'] else 'FAIL ' + r['detail']}"
              + (f" exited={r['exited']}" if r["exited"] else ""))
    for c in cases:
        rest = {k: v for k, v in c.items() if k not in ("phase", "pass")}
        print(f"{c['phase']}: {'PASS' if c['pass'] else 'FAIL'} {rest}")


async def run_phases(args, backbone):
    fleet = Fleet(args, backbone, 3)
    rows = []
    try:
        await fleet.start()
        phases = [("soak", phase_soak)] if args.soak else PHASES
        for name, fn in phases:
            print(f"  phase {name} ...", flush=True)
            rows.append(await run_phase(fleet, name, fn, args))
            if not rows[-1]["pass"]:
                print(f"  phase {name} FAILED: {rows[-1]}", flush=True)
    finally:
        codes = await fleet.stop()
    return fleet, rows, codes


async def main(args):
    backbone = Backbone()
    fleet, rows, codes = await run_phases(args, backbone)
    cases = []
    if not args.soak:
        print("  case give-up ...", flush=True)
        cases.append(await case_give_up(args, backbone))
        print("  case legacy ...", flush=True)
        cases.append(await case_legacy(args, backbone))
    cases.append({"phase": "shutdown (SIGTERM, exit codes)", "codes": codes, "pass": all(c == 0 for c in codes)})
    print_table(backbone.kind, rows, cases)
    ok = all(r["pass"] for r in rows) and all(c["pass"] for c in cases)
    keep = not ok or args.keep_logs
    if not keep:  # a passing run's server logs are not worth keeping
        for path in CREATED_DIRS:
            shutil.rmtree(path, ignore_errors=True)
    os.makedirs(args.report, exist_ok=True)
    name = f"{backbone.kind}{'-soak' if args.soak else ''}.json"
    with open(os.path.join(args.report, name), "w") as f:
        json.dump({"backbone": backbone.kind, "subscribers": args.subscribers, "rate": args.rate, "rows": rows,
                   "cases": cases, "pass": ok, "logs": CREATED_DIRS if keep else None}, f, indent=1, default=str)
    where = f" (logs: {' '.join(CREATED_DIRS)})" if keep else ""
    print(f"fleet {backbone.kind}: {'PASS' if ok else 'FAIL'}{where}")
    return 0 if ok else 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server", required=True)
    p.add_argument("--subscribers", type=int, default=300)
    p.add_argument("--rate", type=float, default=30.0)
    p.add_argument("--down", type=float, default=2.0, help="seconds a killed backbone stays down")
    p.add_argument("--stop-seconds", type=float, default=20.0, help="seconds of SIGSTOP")
    p.add_argument("--converge-timeout", type=float, default=40.0)
    p.add_argument("--soak", action="store_true")
    p.add_argument("--keep-logs", action="store_true", help="keep the servers' logs of a passing run too")
    p.add_argument("--soak-kills", type=int, default=50)
    p.add_argument("--report", default=os.path.join("reports", "fleet"))
    return p.parse_args()


if __name__ == "__main__":
    ARGS = parse_args()
    sys.exit(asyncio.run(main(ARGS)))
