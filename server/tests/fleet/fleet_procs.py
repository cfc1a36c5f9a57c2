"""fleet_procs.py - the processes of a fleet test: stormglassd instances
(started on free ports, watched for exit, resident memory sampled) and the
backbone server behind them, driven through ci/backbone (kill -9, restart,
SIGSTOP/SIGCONT; Kafka's mock broker down/up) and read back for the truth:
the topic states the backbone stores, which a resync refetches.
"""
import asyncio
import json
import os
import re
import subprocess
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CI_BACKBONE = os.path.join(REPO, "ci", "backbone")


class Instance:
    """One stormglassd process; its log goes to a file in logdir."""

    def __init__(self, binary, worker_id, backbone, args, env_extra, logdir):
        self.worker_id = worker_id
        self.log_path = os.path.join(logdir, f"stormglassd-{worker_id}.log")
        env = dict(os.environ)
        env.update(env_extra)
        cmd = [binary, "--port", "0", "--worker-id", str(worker_id), "--seed", str(1000 + worker_id),
               "--backbone", backbone] + args
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL)
        self.port = None
        self.rss_max_kib = 0
        self.rss_last_kib = 0

    def wait_listening(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path) as f:
                m = re.search(r"event=listening .*?port=(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def exited(self):
        return self.proc.poll()

    def sample_rss(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        kib = int(line.split()[1])
                        self.rss_last_kib = kib
                        self.rss_max_kib = max(self.rss_max_kib, kib)
        except OSError:
            pass

    def stop(self, timeout=10.0):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def log_count(self, text):
        with open(self.log_path) as f:
            return f.read().count(text)


class Backbone:
    """The backbone server started by ci/with-backbone (its env names it)."""

    def __init__(self):
        self.kind = os.environ["SG_BACKBONE_KIND"]
        self.dir = os.environ["SG_BACKBONE_DIR"]
        self.uri = os.environ["SG_BACKBONE_URI"]

    def op(self, what):
        r = subprocess.run([CI_BACKBONE, what, self.kind, self.dir], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"ci/backbone {what} {self.kind}: {r.stderr.strip()}")

    async def aop(self, what):
        await asyncio.get_running_loop().run_in_executor(None, self.op, what)

    def kill(self):
        self.op("kill")

    def restart(self):
        self.op("restart")


def _run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]}: {r.stderr.strip()}")
    return r.stdout


def truth_redis(uri):
    out = _run(["redis-cli", "-u", uri, "--raw", "HGETALL", "stormglass:state"])
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return {lines[i]: json.loads(lines[i + 1]) for i in range(0, len(lines) - 1, 2)}


def truth_postgres(uri):
    out = _run(["psql", uri, "-AtX", "-F", "\t", "-c",
                "SELECT topic, convert_from(payload, 'UTF8') FROM stormglass_state"])
    res = {}
    for line in out.splitlines():
        if "\t" in line:
            t, p = line.split("\t", 1)
            res[t] = json.loads(p)
    return res


class ProbeTruth:
    """For Kafka (no independent reader here): a fresh stormglassd that builds
    its view from the log and answers `state` for every topic."""

    def __init__(self, binary, backbone, logdir):
        self.binary, self.backbone, self.logdir = binary, backbone, logdir

    async def read(self, topics, ws_state):
        inst = Instance(self.binary, 900, self.backbone, ["--log-level", "info"], {}, self.logdir)
        try:
            if not inst.wait_listening():
                raise RuntimeError("truth probe did not start")
            return await ws_state(inst.port, topics)
        finally:
            inst.stop()


CREATED_DIRS = []  # every log directory of this run, removed when it passes


def tempdir(kind):
    path = tempfile.mkdtemp(prefix=f"sg-fleet-{kind}.")
    CREATED_DIRS.append(path)
    return path
