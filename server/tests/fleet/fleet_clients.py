"""fleet_clients.py - the clients of a fleet test, all on one asyncio loop:

  Subscriber   one WebSocket client (Debian's python3-websockets) that keeps
               the protocol's contract: subscribe, take `state` as the truth,
               apply `update`s, and on close 1012 (resync) reconnect and
               subscribe again.  Any other close or failure is a *drop*.
  Publisher    POST /publish at a steady rate; each topic has one owner
               instance, so per-topic order is one origin's order.
  HealthWatch  GET /healthcheck on every instance every 200 ms.

Every event is stamped with the phase the test is in, so a phase's table
row counts only its own drops, 503s and publish failures.
"""
import asyncio
import json
import random
import time

import websockets

HTTP_TIMEOUT_S = 3.0


class Recorder:
    """Counts by phase; `phase` is set by the scenario."""

    def __init__(self):
        self.phase = "start"
        self.counts = {}

    def add(self, what, n=1):
        key = (self.phase, what)
        self.counts[key] = self.counts.get(key, 0) + n

    def get(self, phase, what):
        return self.counts.get((phase, what), 0)


class Http:
    """A keep-alive HTTP/1.1 client for one instance (sequential requests)."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method, path, body=b""):
        for attempt in range(2):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", self.port), HTTP_TIMEOUT_S)
                head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n").encode()
                self.writer.write(head + body)
                return await asyncio.wait_for(self._answer(), HTTP_TIMEOUT_S)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt == 1:
                    return 0, b""
        return 0, b""

    async def _answer(self):
        status_line = await self.reader.readline()
        if not status_line:
            raise ValueError("closed")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = (await self.reader.readline()).strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Subscriber:
    def __init__(self, idx, port, topics, rec):
        self.idx, self.port, self.topics, self.rec = idx, port, topics, rec
        self.state = {}
        self.pending = set(topics)   # topics whose `state` has not arrived on this connection
        self.connected = False
        self.stopping = False
        self.connects = 0
        self.resyncs = 0
        self.drops = 0
        self.drop_codes = []
        self.task = None

    async def run(self):
        url = f"ws://127.0.0.1:{self.port}/ws"
        while not self.stopping:
            code = None
            try:
                async with websockets.connect(url, open_timeout=5, close_timeout=1, ping_interval=None,
                                              max_queue=None, max_size=2 ** 22) as ws:
                    await ws.send(json.dumps({"type": "subscribe", "topics": self.topics}))
                    self.connected, self.pending = True, set(self.topics)
                    self.connects += 1
                    try:
                        async for raw in ws:
                            self._apply(json.loads(raw))
                    except websockets.ConnectionClosed:
                        pass
                    code = ws.close_code
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
                code = None
            self.connected = False
            if self.stopping:
                break
            if code == 1012:
                self.resyncs += 1
                self.rec.add("resync_closes")
            else:
                self.drops += 1
                self.drop_codes.append(code)
                self.rec.add("drops")
            await asyncio.sleep(random.uniform(0.05, 0.3))

    def _apply(self, m):
        if m.get("type") in ("state", "update"):
            self.state[m["topic"]] = m["payload"]
            self.pending.discard(m["topic"])
        elif m.get("type") == "error":
            self.rec.add("ws_errors")

    def settled(self):
        return self.connected and not self.pending


class Publisher:
    """Publishes value n to topic n % len(topics) through the topic's owner."""

    def __init__(self, ports, topics, rec):
        self.https = [Http(p) for p in ports]
        self.topics, self.rec = topics, rec
        self.seq = 0
        self.last = {}        # topic -> last payload an instance accepted (202)
        self.accepted = 0
        self.refused = 0
        self.only = None      # publish only through this instance index (None: each topic's owner)

    def owner(self, topic_index):
        return topic_index % len(self.https)

    async def publish_one(self):
        n = self.seq
        self.seq += 1
        ti = n % len(self.topics)
        owner = self.owner(ti)
        if self.only is not None and owner != self.only:
            return
        topic = self.topics[ti]
        payload = {"n": n, "topic": topic, "by": owner}
        body = json.dumps({"topic": topic, "payload": payload}).encode()
        status, _ = await self.https[owner].request("POST", "/publish", body)
        if status == 202:
            self.last[topic] = payload
            self.accepted += 1
            self.rec.add("published")
        else:
            self.refused += 1
            self.rec.add("publish_refused")

    async def run(self, rate, stop_event):
        period = 1.0 / rate
        next_at = time.monotonic()
        while not stop_event.is_set():
            await self.publish_one()
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))


class HealthWatch:
    def __init__(self, ports, rec):
        self.https = [Http(p) for p in ports]
        self.rec = rec
        self.unhealthy = []   # (phase, instance, status, body)

    async def check_once(self):
        for i, h in enumerate(self.https):
            status, body = await h.request("GET", "/healthcheck")
            if status != 200:
                self.rec.add("health_non_200")
                self.unhealthy.append((self.rec.phase, i, status, body[:200]))

    async def run(self, stop_event):
        while not stop_event.is_set():
            await self.check_once()
            await asyncio.sleep(0.2)


async def ws_states(port, topics, timeout=10.0):
    """One fresh client: the `state` of every topic (the instance's answer)."""
    url = f"ws://127.0.0.1:{port}/ws"
    got = {}
    async with websockets.connect(url, open_timeout=5, ping_interval=None, max_size=2 ** 22) as ws:
        await ws.send(json.dumps({"type": "subscribe", "topics": topics}))
        deadline = time.monotonic() + timeout
        while len(got) < len(topics) and time.monotonic() < deadline:
            m = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
            if m.get("type") == "state":
                got[m["topic"]] = m["payload"]
    return {t: p for t, p in got.items() if p is not None}
