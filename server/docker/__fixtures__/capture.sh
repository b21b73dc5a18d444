#!/bin/sh
# Re-captures the real payloads these unit tests parse, from a running container on this host.
# Usage: capture.sh <container> <outdir>. Needs root (reads /proc and /sys/fs/cgroup) and the Docker socket.
# v1-leaker/ was taken from a container of leaker.c (beside this script), built and run like this:
#   gcc -O2 -static -pthread -o rootfs/leaker leaker.c && tar -C rootfs -c . | docker import -c 'ENTRYPOINT ["/leaker"]' - lwcapture
#   docker run -d --network none --label leakwatch.test=1 --name lwdev-probe --pids-limit 40 lwcapture 5 60 2
# (5 threads/s, stop at 60, two unreaped children), captured ~25 s later once forks were being refused.
set -eu
C=$1; OUT=$2; SOCK=/var/run/docker.sock
ID=$(docker inspect -f '{{.Id}}' "$C"); PID=$(docker inspect -f '{{.State.Pid}}' "$C")
mkdir -p "$OUT/proc" "$OUT/cgroup/pids/docker/$ID" "$OUT/proc/sys/kernel"
api() { curl -sf --unix-socket $SOCK "http://docker/v1.41$1"; }
api "/containers/$ID/json" > "$OUT/inspect.json"
api "/containers/$ID/top?ps_args=-eLo%20pid,tid,stat,wchan:32,comm" > "$OUT/top.json"
api "/containers/$ID/stats?stream=false&one-shot=true" > "$OUT/stats-one-shot.json"
api "/containers/$ID/logs?stdout=true&stderr=true&timestamps=true&tail=2000" > "$OUT/logs-multiplexed.bin"
for f in cgroup.procs tasks pids.current pids.max pids.peak pids.events; do
  cat "/sys/fs/cgroup/pids/docker/$ID/$f" > "$OUT/cgroup/pids/docker/$ID/$f"
done
for f in cgroup.procs tasks; do cat "/sys/fs/cgroup/pids/docker/$f" > "$OUT/cgroup/pids/docker/$f"; done
for f in pids.max pids.current; do cat "/sys/fs/cgroup/pids/docker/$f" > "$OUT/cgroup/pids/docker/$f"; done
cat /proc/loadavg > "$OUT/proc/loadavg"
if [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then mkdir -p "$OUT/cgroup/unified"; cat /sys/fs/cgroup/unified/cgroup.controllers > "$OUT/cgroup/unified/cgroup.controllers"; fi
cat /proc/sys/kernel/pid_max > "$OUT/proc/sys/kernel/pid_max"
cat /proc/sys/kernel/threads-max > "$OUT/proc/sys/kernel/threads-max"
copy_task() { # $1 = /proc/<pid>/task/<tid> source, $2 = dest
  mkdir -p "$2"
  for f in stat comm wchan syscall children; do cat "$1/$f" > "$2/$f" 2>/dev/null || true; done
}
for p in $(cat "/sys/fs/cgroup/pids/docker/$ID/cgroup.procs"); do
  mkdir -p "$OUT/proc/$p"
  for f in stat comm cmdline cgroup; do cat "/proc/$p/$f" > "$OUT/proc/$p/$f"; done
  for t in $(ls "/proc/$p/task"); do copy_task "/proc/$p/task/$t" "$OUT/proc/$p/task/$t"; done
  for k in $(cat /proc/$p/task/*/children); do # children outside the cgroup's procs list: zombies
    mkdir -p "$OUT/proc/$k"; cat "/proc/$k/stat" > "$OUT/proc/$k/stat"; cat "/proc/$k/comm" > "$OUT/proc/$k/comm"
  done
done
echo "$ID $PID" > "$OUT/ids.txt"
