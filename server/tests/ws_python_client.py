#!/usr/bin/python3
"""ws_python_client.py SERVER_BIN - drives a real stormglassd with an
independent client: Debian's python3-websockets (10.x), which nobody here
wrote.  Covers subscribe/state/update order, health and metrics answers,
bad input (invalid UTF-8, oversized message, binary), the resync close
(1012) after a backbone drop, health watchers (SERVING, then GOAWAY at
shutdown) and graceful shutdown (1001, exit 0).
Exit status 0 = every check passed; each failure is printed.
"""
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websockets
from websockets.frames import Opcode

SERVER = sys.argv[1]
TIMEOUT = 5.0


class Server:
    def __init__(self, *args):
        self.log = tempfile.NamedTemporaryFile(prefix="stormglassd-py-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([SERVER, "--port", "0", *args], stderr=self.log)
        self.port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.port is None:
            m = re.search(r"event=listening .*?port=(\d+)", open(self.log.name).read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.01)  # polling the readiness line, not a guess
        if self.port is None:
            raise RuntimeError("server did not start: " + open(self.log.name).read())

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def ws(self, **kw):
        return websockets.connect(f"ws://127.0.0.1:{self.port}/ws", open_timeout=TIMEOUT, **kw)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=10)
        finally:
            os.unlink(self.log.name)


def http(url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def publish(srv, topic, payload):
    return http(srv.url("/publish"), json.dumps({"topic": topic, "payload": payload}).encode(),
                {"Content-Type": "application/json"})


async def recv_json(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))


async def check_order(srv):
    publish(srv, "orders", {"v": 0})
    async with srv.ws() as ws:
        await ws.send(json.dumps({"type": "subscribe", "topics": ["orders", "empty"]}))
        first = [await recv_json(ws), await recv_json(ws)]
        by_topic = {m["topic"]: m for m in first}
        assert all(m["type"] == "state" for m in first), first
        assert by_topic["orders"]["payload"] == {"v": 0}, by_topic
        assert by_topic["empty"]["payload"] is None, by_topic
        for i in range(1, 101):
            assert publish(srv, "orders", {"v": i})[0] == 202
        seqs = []
        for i in range(1, 101):
            m = await recv_json(ws)
            assert m["type"] == "update" and m["payload"] == {"v": i}, (i, m)
            seqs.append(m["seq"])
        assert seqs == sorted(seqs) and len(set(seqs)) == 100, seqs
        await ws.send(json.dumps({"type": "ping", "id": 42}))
        assert await recv_json(ws) == {"type": "pong", "id": 42}
        # after unsubscribe no update follows: the next message is the pong
        await ws.send(json.dumps({"type": "unsubscribe", "topics": ["orders"]}))
        await ws.send(json.dumps({"type": "ping", "id": 0}))  # the pong says: unsubscribe was applied
        assert await recv_json(ws) == {"type": "pong", "id": 0}
        assert publish(srv, "orders", {"v": "unseen"})[0] == 202
        await ws.send(json.dumps({"type": "ping", "id": 43}))
        assert await recv_json(ws) == {"type": "pong", "id": 43}


async def check_health_and_metrics(srv):
    status, body = http(srv.url("/healthcheck"))
    assert status == 200 and json.loads(body)["healthy"] is True, (status, body)
    async with srv.ws():
        status, body = http(srv.url("/metrics"))
        assert status == 200
        assert re.search(r"^stormglass_websocket_clients 1$", body, re.M), body[:400]
        assert re.search(r'^stormglass_topic_updates_total\{topic="orders"\} \d+$', body, re.M)
        assert "stormglass_replay_buffer_bytes" in body
    assert http(srv.url("/"))[0] == 200
    assert http(srv.url("/missing"))[0] == 404


async def expect_close(ws, code):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    except websockets.ConnectionClosed as e:
        assert e.rcvd is not None and e.rcvd.code == code, (e.rcvd, code)


async def check_bad_input(srv):
    async with srv.ws() as bystander:
        await bystander.send(json.dumps({"type": "subscribe", "topics": ["bad"]}))
        await recv_json(bystander)
        async with srv.ws() as ws:
            await ws.write_frame(True, Opcode.TEXT, b"\xff\xfe")  # invalid UTF-8
            await expect_close(ws, 1007)
        async with srv.ws(max_size=None) as ws:
            await ws.send("x" * 100000)  # over --max-message-bytes 64k
            await expect_close(ws, 1009)
        async with srv.ws() as ws:
            await ws.send(b"\x00\x01")  # binary is not part of the protocol
            await expect_close(ws, 1003)
        assert publish(srv, "bad", {"still": "here"})[0] == 202
        m = await recv_json(bystander)
        assert m["type"] == "update" and m["payload"] == {"still": "here"}, m


def wait_metric(srv, name, minimum):
    """Polls /metrics until `name` reaches `minimum` (a readiness signal)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        m = re.search("^" + re.escape(name) + r" (\d+)$", http(srv.url("/metrics"))[1], re.M)
        if m and int(m.group(1)) >= minimum:
            return
        time.sleep(0.01)
    raise AssertionError(f"{name} never reached {minimum}")


async def check_resync(srv):
    async with srv.ws() as ws:
        await ws.send(json.dumps({"type": "subscribe", "topics": ["rs"]}))
        await recv_json(ws)
        wait_metric(srv, 'stormglass_reader_state{state="reading"}', 1)
        echoes = int(re.search(r"^stormglass_core_own_echoes_total (\d+)$", http(srv.url("/metrics"))[1], re.M).group(1))
        publish(srv, "rs", {"before": True})
        await recv_json(ws)
        wait_metric(srv, "stormglass_core_own_echoes_total", echoes + 1)  # the session heard something
        srv.proc.send_signal(signal.SIGUSR1)  # drill: drop the backbone session
        await expect_close(ws, 1012)
    async with srv.ws() as ws:  # the client's part of the contract: reconnect, refetch
        await ws.send(json.dumps({"type": "subscribe", "topics": ["rs"]}))
        m = await recv_json(ws)
        assert m["type"] == "state" and m["payload"] == {"before": True}, m


async def check_shutdown(srv):
    clients = [await srv.ws().__aenter__() for _ in range(3)]
    watcher = clients[0]
    await watcher.send(json.dumps({"type": "watch-health"}))
    assert await recv_json(watcher) == {"type": "health", "status": "SERVING"}
    srv.proc.send_signal(signal.SIGTERM)
    # the terminal status reaches the watcher before its 1001
    assert await recv_json(watcher) == {"type": "health", "status": "GOAWAY"}
    for ws in clients:
        await expect_close(ws, 1001)
    rc = await asyncio.get_running_loop().run_in_executor(None, lambda: srv.proc.wait(timeout=10))
    assert rc == 0, rc


async def main():
    failures = 0
    fast = ["--resync-settle-seconds", "0.05", "--resync-settle-jitter-seconds", "0", "--resync-window", "0.1",
            "--backoff-min-seconds", "0.05", "--backoff-max-seconds", "0.1", "--shutdown-close-window", "0.1"]
    srv = Server(*fast)
    try:
        for check in (check_order, check_health_and_metrics, check_bad_input, check_resync, check_shutdown):
            try:
                await check(srv)
                print(f"[       OK ] python-websockets {check.__name__}")
            except Exception as e:  # report every failing check, not just the first
                failures += 1
                print(f"[  FAILED  ] python-websockets {check.__name__}: {e!r}")
    finally:
        srv.stop(signal.SIGKILL)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
