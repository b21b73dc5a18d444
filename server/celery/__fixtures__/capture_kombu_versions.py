"""Captures the Redis key layout and payloads of several kombu versions into kombu-versions.json.

Only kombu 5.2 is installed for the live tests, but the console must read what 5.3 to 5.6 write as well. This
runs each version's own code (an unmodified tree from github:celery/kombu at the tag, put on PYTHONPATH; Debian's
python3-redis) against the test Redis and records the exact key names and values it leaves:

  for v in v5.2.4 v5.3.7 v5.4.2 v5.5.4 v5.6.2; do
    mkdir -p /tmp/kombu-src/$v && git -C <kombu clone> archive $v kombu | tar -x -C /tmp/kombu-src/$v
  done
  LEAKWATCH_TEST_REDIS_URL=redis://127.0.0.1:6392 /usr/bin/python3 server/celery/__fixtures__/capture_kombu_versions.py

Per version, with global_keyprefix "p:", priority_steps [0, 3, 6, 9], fanout_patterns on, visibility_timeout 1:
- a direct exchange `tasks` (queue `q`, key `q`), a topic exchange `events` (queue `audit`, key `task.#`) and a
  fanout exchange `bt` (queue `bcast.1`), declared and bound by Queue.declare (Channel._queue_bind);
- a message with priority 6 published to `tasks`/`q` (Channel._put: which list), then taken with basic_get without
  ack (QoS.append: the unacked hash and index), then restored by QoS.restore_visible after the visibility timeout
  (Channel._do_restore_message: which list it comes back to);
- a message published to the fanout exchange (Channel._put_fanout / _get_publish_topic: the pub/sub channel).
Uses db 7 of the test Redis (flushed first).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = ["v5.2.4", "v5.3.7", "v5.4.2", "v5.5.4", "v5.6.2"]
SRC = os.environ.get("KOMBU_SRC", "/tmp/kombu-src")

ONE = r'''
import json, os, sys, time, threading
import redis, kombu
from kombu import Connection, Exchange, Queue

url = sys.argv[1]
raw = redis.Redis.from_url(url)
raw.flushdb()
opts = {"global_keyprefix": "p:", "priority_steps": [0, 3, 6, 9], "visibility_timeout": 1}
b = lambda v: v.decode("latin1") if isinstance(v, bytes) else v
out = {"kombu": kombu.__version__}

published = []
sub = raw.pubsub()
sub.psubscribe("*")
sub.get_message(timeout=1)

with Connection(url, transport_options=opts) as conn:
    ch = conn.default_channel
    tasks, events, bt = Exchange("tasks", "direct"), Exchange("events", "topic"), Exchange("bt", "fanout")
    Queue("q", tasks, routing_key="q")(ch).declare()
    Queue("audit", events, routing_key="task.#")(ch).declare()
    Queue("bcast.1", bt, routing_key="")(ch).declare()
    out["bindings"] = {
        b(k): sorted(b(m) for m in raw.smembers(k)) for k in sorted(raw.keys("*_kombu.binding.*"))
    }
    producer = conn.Producer(ch)
    headers = {"task": "tasks.record", "id": "00000000-0000-4000-8000-000000000006"}
    producer.publish({"n": 6}, exchange=tasks, routing_key="q", priority=6, headers=headers,
                     serializer="json")
    out["published_lists"] = {b(k): [b(v) for v in raw.lrange(k, 0, -1)] for k in sorted(raw.keys("p:q*"))}
    msg = ch.basic_get("q", no_ack=False)
    out["unacked"] = {b(k): b(v) for k, v in raw.hgetall("p:" + ch.unacked_key).items()}
    out["unacked_index"] = [[b(k), s] for k, s in raw.zrange("p:" + ch.unacked_index_key, 0, -1, withscores=True)]
    out["unacked_keys"] = sorted(b(k) for k in raw.keys("p:unacked*"))
    out["lists_while_unacked"] = sorted(b(k) for k in raw.keys("p:q*"))
    time.sleep(1.2)
    ch.qos.restore_visible(num=100)
    out["restored_lists"] = {b(k): [b(v) for v in raw.lrange(k, 0, -1)] for k in sorted(raw.keys("p:q*"))}
    producer.publish({"n": "fan"}, exchange=bt, routing_key="reload", serializer="json")
    producer.publish({"n": "fan2"}, exchange=bt, routing_key="", serializer="json")
    deadline = time.time() + 3
    channels = []
    while time.time() < deadline and len(channels) < 2:
        m = sub.get_message(timeout=0.5)
        if m and m["type"] == "pmessage":
            channels.append(b(m["channel"]))
    out["fanout_channels"] = channels
sub.close()
print(json.dumps(out))
'''


def main():
    base = os.environ.get("LEAKWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6391").rstrip("/")
    url = base + "/7"
    if ":6379" in url:
        raise SystemExit("refusing to flush a non-test Redis")
    result = {
        "source": "capture_kombu_versions.py: each kombu tag's own code against a real redis-server",
        "versions": {},
    }
    for v in VERSIONS:
        tree = os.path.join(SRC, v)
        if not os.path.isdir(os.path.join(tree, "kombu")):
            raise SystemExit("missing %s (see the docstring)" % tree)
        env = dict(os.environ, PYTHONPATH=tree)
        done = subprocess.run([sys.executable, "-c", ONE, url], env=env, capture_output=True, text=True, check=True)
        result["versions"][v] = json.loads(done.stdout.strip().splitlines()[-1])
    with open(os.path.join(HERE, "kombu-versions.json"), "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
