"""Drive a real RabbitMQ 3.10 node from a JSON workload and report what it did.

This file is the reference for the Rust comparison test: Brokerlab runs the
same workload and must produce the same JSON.  Usage:

    python3 driver.py < workload.json > observed.json

Needs Python 3.11 and pika 1.3.2.  Diagnostics go to stderr; stdout holds
exactly one JSON object.  Exit 0 whenever the node could be used (errors and
settle failures are data), 2 on malformed input, 3 if the node is unreachable.

Input (one JSON object)
    {"port": 5672, "vhost": "wl-x", "settle_timeout_ms": 3000,
     "drain": ["jobs", "dlq"], "steps": [{"op": ..., "expect": {...}}, ...]}
Login is guest/guest on 127.0.0.1:<port>.  Steps are numbered from 0 ("i").

Clients.  Every name used as "consumer" or "owner" is one client with at
most one live connection, opened on first use.  Each consume/listen opens a
new channel on it, and declare/bind/get/delete use a separate admin channel,
so a channel error in one never affects the others.  After "die" the next use
of the name opens a fresh connection.  The publisher and the probe (ready
counts, final drain) have connections of their own.

Ops
    publish  {exchange, routing_key, body, expiration_ms|null}: persistent
             (delivery_mode 2), publisher confirms, never mandatory.
             Appends {"body", "confirm": "ack"|"nack"} to "confirms"; a
             publish that fails with a channel error appends no confirm.
    consume  {consumer, queue, prefetch (0 = no basic.qos), no_ack}
    listen   {consumer, queue}: like consume with no_ack and no qos.
             Every delivery appends {"body", "redelivered", "delivery_count"}
             to "deliveries"[consumer]; delivery_count is the
             x-delivery-count header or null.  Unless no_ack, the delivery
             stays outstanding until settled.
    ack / nack / reject  {consumer, body, requeue (nack/reject),
             multiple (ack/nack, default false)}: settles the most recent
             outstanding delivery of that body; multiple=true also forgets
             every older outstanding delivery of the consumer.  If there is
             none: error "step <i>: <consumer> holds no delivery of <body>".
    die      {consumer}: the client's TCP socket is shut down with no AMQP
             connection.close, so the broker sees an abrupt disconnect
             ("client unexpectedly closed TCP connection"), requeues its
             unacked deliveries (redelivered=true) and cancels its consumers
             (auto-delete queues go away).  Outstanding deliveries are
             forgotten; dying with no live connection does nothing.
    declare_queue {owner, queue, auto_delete, arguments}: non-durable,
             except x-queue-type quorum/stream (RabbitMQ requires durable).
    bind     {owner, queue, exchange, routing_key}
    delete_queue {owner, queue}
    get      {owner, queue}: basic.get with auto-ack; appends the body or
             null to "gets"[owner].
    wait     {ms}: settle deadline is ms + settle_timeout_ms; with an empty
             expect the driver just keeps pumping for ms.
Channel/connection errors inside an op append
"step <i>: <op>: <reply code> <reply text>" to "errors" and the run goes on
(errors without a reply code, e.g. settling on a channel the broker closed,
read "step <i>: <op>: <pika exception class> <message>").  A client
connection found closed while pumping adds
"step <i>: <client>: connection lost: ...".

Settling.  After each step the driver pumps all live connections until the
step's "expect" holds or the deadline passes:
    "deliveries": {consumer: n}  at least n deliveries recorded so far;
    "ready": {queue: n}          passive queue.declare message_count == n,
                                 -1 meaning the queue must not exist (404);
    "consumers": {queue: n}      passive queue.declare consumer_count == n
                                 (so a dead connection's consumer is gone
                                 before the next step publishes).
On timeout {"step": i, "wanted": expect, "have": {...}} is appended to
"settle_failures"; "have" has the same shape as the expect (only the kinds
and names it mentions).  After settling it pumps once more so deliveries
already received are recorded.  "deliveries"[c] exists once a consume or
listen by c succeeded.

End.  Each queue in "drain" is emptied in order with basic.get (auto-ack) on
the probe; every message appends {"body", "redelivered", "delivery_count",
"death": null | {"reason", "queue"}} (first x-death entry) to "queues"[q].
A missing queue is an error "drain: 404 ...".

Output (keys sorted): {"confirms", "deliveries", "errors", "gets",
"history", "queues", "settle_failures"}; "history" is a human-readable log
(one line per step, delivery, get, settle result).
"""
from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection
from pika.exceptions import AMQPChannelError, AMQPError, NackError

HOST = "127.0.0.1"
POLL_S = 0.005
DIE_GRACE_S = 1.0
DURABLE_TYPES = ("quorum", "stream")  # RabbitMQ refuses non-durable ones (406)

Json = dict[str, Any]


@dataclass
class Pending:
    channel: BlockingChannel
    tag: int
    body: str


@dataclass
class Client:
    name: str
    conn: BlockingConnection
    admin: BlockingChannel | None = None
    outstanding: list[Pending] = field(default_factory=list)


def describe(exc: BaseException) -> str:
    code = getattr(exc, "reply_code", None)
    if code is not None:
        return f"{code} {getattr(exc, 'reply_text', '')}"
    return f"{type(exc).__name__} {exc}".strip()


def text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def delivery_count(props: pika.BasicProperties) -> int | None:
    count = (props.headers or {}).get("x-delivery-count")
    return None if count is None else int(count)


def message_record(method: Any, props: pika.BasicProperties, body: bytes | str) -> Json:
    return {"body": text(body), "redelivered": bool(method.redelivered),
            "delivery_count": delivery_count(props)}


def death_record(props: pika.BasicProperties) -> Json | None:
    deaths = (props.headers or {}).get("x-death") or []
    if not deaths:
        return None
    return {"reason": text(deaths[0].get("reason")), "queue": text(deaths[0].get("queue"))}


def show_delivery(rec: Json) -> str:
    notes = ["redelivered"] if rec["redelivered"] else []
    if rec["delivery_count"] is not None:
        notes.append(f"count {rec['delivery_count']}")
    return rec["body"] + (f" ({', '.join(notes)})" if notes else "")


class Driver:
    def __init__(self, workload: Json) -> None:
        self.params = pika.ConnectionParameters(
            host=HOST, port=int(workload["port"]), virtual_host=workload["vhost"],
            credentials=pika.PlainCredentials("guest", "guest"), heartbeat=0)
        self.timeout_s = int(workload.get("settle_timeout_ms", 3000)) / 1000
        self.out: Json = {"confirms": [], "deliveries": {}, "gets": {}, "queues": {},
                          "errors": [], "settle_failures": [], "history": []}
        self.clients: dict[str, Client] = {}
        # Each consumer channel's prefetch, by `id(channel)` (see the fence in `settle`).
        self.prefetch: dict[int, int] = {}
        self.step = -1
        self.probe_conn = BlockingConnection(self.params)
        self.probe = self.probe_conn.channel()
        self.pub_conn = BlockingConnection(self.params)
        self.pub = self.open_publisher_channel()

    # -- plumbing ---------------------------------------------------------
    def log(self, line: str) -> None:
        self.out["history"].append(line)

    def open_publisher_channel(self) -> BlockingChannel:
        if not self.pub_conn.is_open:
            self.pub_conn = BlockingConnection(self.params)
        channel = self.pub_conn.channel()
        channel.confirm_delivery()
        return channel

    def reopen_probe(self) -> None:
        if not self.probe_conn.is_open:
            self.probe_conn = BlockingConnection(self.params)
        self.probe = self.probe_conn.channel()

    def client(self, name: str) -> Client:
        cl = self.clients.get(name)
        if cl is None or not cl.conn.is_open:
            cl = Client(name, BlockingConnection(self.params))
            self.clients[name] = cl
        return cl

    def admin(self, name: str) -> BlockingChannel:
        cl = self.client(name)
        if cl.admin is None or not cl.admin.is_open:
            cl.admin = cl.conn.channel()
        return cl.admin

    def pump(self) -> None:
        """Dispatch whatever has arrived on every live connection."""
        for name, cl in list(self.clients.items()):
            try:
                cl.conn.process_data_events(time_limit=0)
            except (AMQPError, ValueError) as exc:  # pika raises ValueError once closed
                self.out["errors"].append(f"step {self.step}: {name}: connection lost: "
                                          f"{describe(exc)}")
                del self.clients[name]
        try:
            self.pub_conn.process_data_events(time_limit=0)
        except (AMQPError, ValueError) as exc:  # reopened by the next publish
            print(f"driver: publisher connection: {describe(exc)}", file=sys.stderr)

    # -- ops ----------------------------------------------------------------
    def op_publish(self, i: int, step: Json) -> None:
        exchange, key, body = step.get("exchange", ""), step["routing_key"], step["body"]
        props = pika.BasicProperties(delivery_mode=2)
        if step.get("expiration_ms") is not None:
            props.expiration = str(int(step["expiration_ms"]))
        line = f"step {i} publish {exchange or '(default)'}/{key!r} {body}"
        try:
            self.pub.basic_publish(exchange, key, body.encode(), props)
            confirm = "ack"
        except NackError:
            confirm = "nack"
        except AMQPError:
            self.log(f"{line} -> error")
            self.pub = self.open_publisher_channel()
            raise
        self.out["confirms"].append({"body": body, "confirm": confirm})
        self.log(f"{line} -> {confirm}")

    def start_consumer(self, name: str, queue: str, prefetch: int, no_ack: bool) -> None:
        cl = self.client(name)
        channel = cl.conn.channel()

        def on_message(ch: BlockingChannel, method: Any, props: Any, body: bytes) -> None:
            rec = message_record(method, props, body)
            self.out["deliveries"].setdefault(name, []).append(rec)
            self.log(f"  {name} <- {show_delivery(rec)}")
            if not no_ack:
                cl.outstanding.append(Pending(ch, method.delivery_tag, rec["body"]))

        self.prefetch[id(channel)] = prefetch
        if prefetch > 0:
            channel.basic_qos(prefetch_count=prefetch)
        channel.basic_consume(queue, on_message, auto_ack=no_ack)
        self.out["deliveries"].setdefault(name, [])

    def op_consume(self, i: int, step: Json) -> None:
        prefetch, no_ack = int(step.get("prefetch", 0)), bool(step.get("no_ack", False))
        self.log(f"step {i} {step['consumer']} consume {step['queue']} "
                 f"prefetch {prefetch}{' no_ack' if no_ack else ''}")
        self.start_consumer(step["consumer"], step["queue"], prefetch, no_ack)

    def op_listen(self, i: int, step: Json) -> None:
        self.log(f"step {i} {step['consumer']} listen {step['queue']}")
        self.start_consumer(step["consumer"], step["queue"], 0, True)

    def settle(self, i: int, step: Json) -> None:
        op, name, body = step["op"], step["consumer"], step["body"]
        requeue, multiple = bool(step.get("requeue", False)), bool(step.get("multiple", False))
        flags = (" requeue" if requeue and op != "ack" else "") + (" multiple" if multiple else "")
        self.log(f"step {i} {name} {op} {body}{flags}")
        cl = self.clients.get(name)
        held = [k for k, p in enumerate(cl.outstanding) if p.body == body] if cl else []
        if not cl or not held:
            self.out["errors"].append(f"step {i}: {name} holds no delivery of {body}")
            return
        k = held[-1]
        pending = cl.outstanding.pop(k)
        if multiple:
            cl.outstanding = cl.outstanding[k:]
        if op == "ack":
            pending.channel.basic_ack(pending.tag, multiple=multiple)
        elif op == "nack":
            pending.channel.basic_nack(pending.tag, multiple=multiple, requeue=requeue)
        else:
            pending.channel.basic_reject(pending.tag, requeue=requeue)
        # A fence: acks have no reply, so a connection that dies right after one could take
        # it down unprocessed (the broker shuts the channel down by another process). A
        # synchronous method on the same channel returns once the channel has handled the
        # ack, whose settle then reaches the queue before the channel's exit does. basic.qos
        # with the channel's own prefetch changes nothing (it applies to later consumers).
        pending.channel.basic_qos(prefetch_count=self.prefetch.get(id(pending.channel), 0))

    def op_die(self, i: int, step: Json) -> None:
        name = step["consumer"]
        self.log(f"step {i} {name} dies")
        cl = self.clients.pop(name, None)
        if cl is None:
            return
        # pika 1.3.2: BlockingConnection -> SelectConnection -> transport -> socket
        sock: socket.socket = cl.conn._impl._transport._sock  # type: ignore[attr-defined]
        try:
            sock.shutdown(socket.SHUT_RDWR)  # FIN to the broker, no AMQP close
        except OSError as exc:
            print(f"driver: {name}: shutdown: {exc!r}", file=sys.stderr)
        # Let pika notice EOF itself so it unregisters and closes the socket.
        deadline = time.monotonic() + DIE_GRACE_S
        while cl.conn.is_open and time.monotonic() < deadline:
            try:
                cl.conn.process_data_events(time_limit=POLL_S)  # type: ignore[arg-type]
            except (AMQPError, ValueError):  # StreamLostError: EOF seen, socket closed
                break
        if cl.conn.is_open:
            print(f"driver: {name}: pika did not notice the dead socket", file=sys.stderr)
            sock.close()

    def op_declare_queue(self, i: int, step: Json) -> None:
        args = step.get("arguments") or {}
        auto = " auto_delete" if step.get("auto_delete") else ""
        self.log(f"step {i} {step['owner']} declare {step['queue']}{auto} "
                 f"{json.dumps(args, sort_keys=True)}")
        durable = args.get("x-queue-type") in DURABLE_TYPES
        self.admin(step["owner"]).queue_declare(
            step["queue"], durable=durable, auto_delete=bool(step.get("auto_delete", False)),
            arguments=args)

    def op_bind(self, i: int, step: Json) -> None:
        self.log(f"step {i} {step['owner']} bind {step['queue']} to "
                 f"{step['exchange']}/{step['routing_key']!r}")
        self.admin(step["owner"]).queue_bind(step["queue"], step["exchange"], step["routing_key"])

    def op_delete_queue(self, i: int, step: Json) -> None:
        self.log(f"step {i} {step['owner']} delete {step['queue']}")
        self.admin(step["owner"]).queue_delete(step["queue"])

    def op_get(self, i: int, step: Json) -> None:
        owner = step["owner"]
        self.log(f"step {i} {owner} get {step['queue']}")
        _, _, body = self.admin(owner).basic_get(step["queue"], auto_ack=True)
        got = None if body is None else text(body)
        self.out["gets"].setdefault(owner, []).append(got)
        self.log(f"  {owner} got {got if got is not None else '(empty)'}")

    def op_wait(self, i: int, step: Json) -> None:
        self.log(f"step {i} wait {int(step['ms'])} ms")

    # -- settling -------------------------------------------------------------
    def counts(self, queue: str) -> tuple[int, int] | None:
        """(ready messages, consumers) of a queue; (-1, -1) when it does not exist."""
        try:
            method = self.probe.queue_declare(queue, passive=True).method
            return (method.message_count, method.consumer_count)
        except AMQPChannelError as exc:
            self.reopen_probe()
            if getattr(exc, "reply_code", None) == 404:
                return (-1, -1)
            print(f"driver: probe {queue}: {describe(exc)}", file=sys.stderr)
            return None

    def ready_count(self, queue: str) -> int | None:
        counts = self.counts(queue)
        return None if counts is None else counts[0]

    def consumer_count(self, queue: str) -> int | None:
        counts = self.counts(queue)
        return None if counts is None else counts[1]

    def observe(self, expect: Json) -> Json:
        have: Json = {}
        if "deliveries" in expect:
            have["deliveries"] = {c: len(self.out["deliveries"].get(c, []))
                                  for c in expect["deliveries"]}
        if "ready" in expect:
            have["ready"] = {q: self.ready_count(q) for q in expect["ready"]}
        if "consumers" in expect:
            have["consumers"] = {q: self.consumer_count(q) for q in expect["consumers"]}
        return have

    @staticmethod
    def matches(expect: Json, have: Json) -> bool:
        return (all(have["deliveries"][c] >= n for c, n in expect.get("deliveries", {}).items())
                and all(have["ready"][q] == n for q, n in expect.get("ready", {}).items())
                and all(have["consumers"][q] == n
                        for q, n in expect.get("consumers", {}).items()))

    def wait_until(self, i: int, expect: Json, extra_s: float, idle: bool) -> None:
        start = time.monotonic()
        deadline = start + extra_s + (0 if idle else self.timeout_s)
        while True:
            self.pump()
            have = self.observe(expect)
            now = time.monotonic()
            if (not idle and self.matches(expect, have)) or now >= deadline:
                break
            self.probe_conn.process_data_events(time_limit=POLL_S)  # type: ignore[arg-type]
        if idle or self.matches(expect, have):
            self.log(f"  settled in {round((now - start) * 1000)} ms")
        else:
            self.out["settle_failures"].append({"step": i, "wanted": expect, "have": have})
            self.log(f"  NOT settled: wanted {json.dumps(expect, sort_keys=True)} "
                     f"have {json.dumps(have, sort_keys=True)}")
        self.pump()

    # -- top level --------------------------------------------------------------
    def run_step(self, i: int, step: Json) -> None:
        op, self.step = step["op"], i
        handler: Callable[[int, Json], None] | None = {
            "publish": self.op_publish, "consume": self.op_consume, "listen": self.op_listen,
            "ack": self.settle, "nack": self.settle, "reject": self.settle,
            "die": self.op_die, "declare_queue": self.op_declare_queue, "bind": self.op_bind,
            "delete_queue": self.op_delete_queue, "get": self.op_get, "wait": self.op_wait,
        }.get(op)
        if handler is None:
            raise ValueError(f"step {i}: unknown op {op!r}")
        try:
            handler(i, step)
        except AMQPError as exc:
            self.out["errors"].append(f"step {i}: {op}: {describe(exc)}")
            self.log(f"  error: {describe(exc)}")
        expect = step.get("expect") or {}
        extra_s = int(step["ms"]) / 1000 if op == "wait" else 0.0
        self.wait_until(i, expect, extra_s, idle=(op == "wait" and not expect))

    def drain(self, queue: str) -> None:
        got: list[Json] = []
        while True:
            try:
                method, props, body = self.probe.basic_get(queue, auto_ack=True)
            except AMQPChannelError as exc:
                self.out["errors"].append(f"drain: {describe(exc)}")
                self.reopen_probe()
                return
            if method is None or props is None or body is None:
                break
            rec = message_record(method, props, body) | {"death": death_record(props)}
            got.append(rec)
            death = rec["death"]
            self.log(f"  {queue} -> {show_delivery(rec)}"
                     + (f" dead: {death['reason']} from {death['queue']}" if death else ""))
        self.out["queues"][queue] = got

    def close(self) -> None:
        for conn in [cl.conn for cl in self.clients.values()] + [self.pub_conn, self.probe_conn]:
            try:
                if conn.is_open:
                    conn.close()
            except AMQPError as exc:
                print(f"driver: close: {describe(exc)}", file=sys.stderr)

    def run(self, steps: list[Json], drain: list[str]) -> Json:
        for i, step in enumerate(steps):
            self.run_step(i, step)
        if drain:
            self.log("drain " + ", ".join(drain))
        for queue in drain:
            self.drain(queue)
        self.close()
        return self.out


def main() -> int:
    try:
        workload = json.load(sys.stdin)
        steps, drain = list(workload["steps"]), [str(q) for q in workload.get("drain", [])]
        int(workload["port"]), str(workload["vhost"])
    except (ValueError, KeyError, TypeError) as exc:
        print(f"driver: malformed workload: {exc!r}", file=sys.stderr)
        return 2
    try:
        driver = Driver(workload)
    except (AMQPError, OSError) as exc:
        print(f"driver: cannot reach RabbitMQ on port {workload['port']}: {exc!r}", file=sys.stderr)
        return 3
    try:
        out = driver.run(steps, drain)
    except (ValueError, KeyError, TypeError) as exc:
        print(f"driver: malformed step {driver.step}: {exc!r}", file=sys.stderr)
        driver.close()
        return 2
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
