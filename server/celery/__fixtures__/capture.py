"""Captures real kombu/Celery 5.2 payloads from the test Redis into JSON fixtures.

Run with Debian's python (python3-celery): /usr/bin/python3 server/celery/__fixtures__/capture.py
Uses db 7 of LEAKWATCH_TEST_REDIS_URL's server (flushed first). Each fixture records the exact bytes
read back from Redis (LRANGE / HGET / a pub/sub message), so the TypeScript parsers are tested on what
a real producer and worker wrote, not on hand-made JSON.
"""
import json, os, subprocess, sys, time, datetime, threading
import redis
from celery import Celery

HERE = os.path.dirname(os.path.abspath(__file__))
base = os.environ.get("LEAKWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6391").rstrip("/")
URL = base + "/7"
r = redis.Redis.from_url(URL)
r.flushdb()

APP = '''
import time
from celery import Celery
app = Celery("capture", broker=%r)
app.conf.task_default_queue = "dataset"
app.conf.worker_prefetch_multiplier = 4
@app.task(name="tasks.document_indexing_task", bind=True)
def document_indexing_task(self, dataset_id, document_ids): time.sleep(30)
@app.task(name="tasks.mail.send_invite_member_mail_task")
def send_mail(language, to, token, inviter_name, workspace_name): return to
''' % URL
os.makedirs("/tmp/leakwatch-capture", exist_ok=True)
with open("/tmp/leakwatch-capture/capapp.py", "w") as f:
    f.write(APP)
sys.path.insert(0, "/tmp/leakwatch-capture")
from capapp import app, document_indexing_task, send_mail  # noqa: E402

fixtures = {}

def save(name, source, raw, note):
    fixtures[name] = {"source": source, "note": note, "raw": raw.decode("utf-8") if isinstance(raw, bytes) else raw}

# --- producer messages, read back from the queue lists ---
document_indexing_task.apply_async(("d7f5", ["doc-1", "doc-2"]), queue="dataset")
save("message-basic", "LRANGE dataset 0 0", r.lrange("dataset", 0, 0)[0], "protocol 2, default priority")
document_indexing_task.apply_async(("d7f5", ["doc-3"]), queue="dataset", countdown=300)
save("message-countdown", "LRANGE dataset 0 0", r.lrange("dataset", 0, 0)[0], "countdown=300 becomes headers.eta")
eta = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
document_indexing_task.apply_async(("d7f5", []), queue="dataset", eta=eta, expires=7200, retries=3)
save("message-eta-expires-retries", "LRANGE dataset 0 0", r.lrange("dataset", 0, 0)[0], "eta, expires and retries=3")
send_mail.apply_async(("zh-Hans", "名前@example.com", "tok", "Ünïcødé", "ws"), queue="mail", priority=6)
save("message-priority6-unicode", "LRANGE mail\\x06\\x166 0 0", r.lrange("mail\x06\x166", 0, 0)[0], "priority 6 lands in the step-6 list; non-ASCII args")
document_indexing_task.apply_async(("x" * 5000, ["y"] * 200), queue="priority_dataset", priority=9)
save("message-large-args", "LRANGE priority_dataset\\x06\\x169 0 0", r.lrange("priority_dataset\x06\x169", 0, 0)[0], "large args")
sig = document_indexing_task.si("a", ["b"]).set(queue="dataset") | send_mail.si("en", "t@x", "k", "i", "w").set(queue="mail")
sig.apply_async()
save("message-chain", "LRANGE dataset 0 0", r.lrange("dataset", 0, 0)[0], "first task of a chain: embed carries the chain")
app1 = Celery("capture-p1", broker=URL)
app1.conf.task_protocol = 1
app1.send_task("tasks.mail.send_invite_member_mail_task", ("en", "p1@x", "k", "i", "w"), queue="mail", countdown=60)
save("message-protocol1", "LRANGE mail 0 0", r.lrange("mail", 0, 0)[0], "task_protocol=1: task fields in the body")
r.delete("mail")

# --- a pidbox broadcast as a worker receives it, and the reply a real worker sends ---
p = r.pubsub()
p.psubscribe("/7.celery.pidbox")
p.get_message(timeout=1)
worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "capapp", "worker", "-Q", "dataset,mail,priority_dataset", "-c", "2",
     "-n", "capture@fixture", "-E", "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
    cwd="/tmp/leakwatch-capture")
try:
    for _ in range(100):
        if r.exists("unacked") and r.hlen("unacked") >= 3:
            break
        time.sleep(0.2)
    tags = r.hkeys("unacked")
    for tag in tags:
        entry = r.hget("unacked", tag)
        if b'"eta": "' in entry and "unacked-eta" not in fixtures:
            save("unacked-eta", "HGET unacked <tag>", entry, "held by a worker: ETA task")
        elif b'"eta": null' in entry and "unacked-running" not in fixtures:
            save("unacked-running", "HGET unacked <tag>", entry, "held by a worker: running or prefetched")

    # A raw reply as the worker LPUSHes it onto the caller's reply queue.
    with app.connection() as conn:
        mailbox = app.control.mailbox(conn)
        mailbox._publish("ping", {}, destination=["capture@fixture"], reply_ticket="fixture-ticket", timeout=2)
        reply_key = "%s.reply.celery.pidbox" % mailbox.oid
        for _ in range(50):
            if r.llen(reply_key):
                break
            time.sleep(0.1)
        save("pidbox-reply", "LRANGE <oid>.reply.celery.pidbox 0 0", r.lrange(reply_key, 0, 0)[0], "ping reply pushed by the worker")
        r.delete(reply_key)
        r.srem("_kombu.binding.reply.celery.pidbox", "%s\x06\x16\x06\x16%s" % (mailbox.oid, reply_key))
    replies = {}
    for cmd in ["ping", "stats", "active_queues", "active", "reserved", "scheduled"]:
        res = app.control.inspect(timeout=1.5, destination=["capture@fixture"])._request(cmd)
        replies[cmd] = res
    time.sleep(0.1)
    while True:
        m = p.get_message(timeout=0.2)
        if m is None:
            break
        if m["type"] == "pmessage" and "pidbox-broadcast" not in fixtures:
            save("pidbox-broadcast", "PSUBSCRIBE /7.celery.pidbox", m["data"], "celery inspect ping as published on the fanout channel")
    fixtures["worker-replies"] = {"source": "app.control.inspect (decoded reply bodies)", "note": "what workers answer", "raw": json.dumps(replies)}

    ev = r.pubsub()
    ev.psubscribe("/7.celeryev/worker.heartbeat")
    deadline = time.time() + 5
    while time.time() < deadline:
        m = ev.get_message(timeout=0.5)
        if m and m["type"] == "pmessage":
            save("event-heartbeat", "PSUBSCRIBE /7.celeryev/worker.heartbeat", m["data"], "worker-heartbeat event")
            break
finally:
    worker.kill()
    worker.wait()

for name, fx in fixtures.items():
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(fx, f, indent=2, ensure_ascii=False)
        f.write("\n")
print("wrote", sorted(fixtures))
r.flushdb()
