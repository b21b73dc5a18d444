#!/bin/sh
# Captures the real cgroup v2 files of a container run by Docker's systemd cgroup driver, as the unit tests read them.
# Usage (as root on the host, here the VM of scripts/vm.sh): capture-v2.sh <container> <outdir>
# v2-systemd-leaker/ was taken in that VM (kernel.threads-max 4000, so systemd's DefaultTasksMax is 600) from
#   docker run -d --network none --name lw-capture leakwatch-fixture/leaker:latest --rate 40 --max 900
# once the leaker logged "can't start new thread" at the scope's default TasksMax.
set -eu
C=$1; OUT=$2
ID=$(docker inspect -f '{{.Id}}' "$C"); PID=$(docker inspect -f '{{.State.Pid}}' "$C")
SCOPE=system.slice/docker-$ID.scope
mkdir -p "$OUT/proc/sys/kernel" "$OUT/cgroup/$SCOPE"
docker inspect --format '{{json .}}' "$ID" > "$OUT/inspect.json"
cat /sys/fs/cgroup/cgroup.controllers > "$OUT/cgroup/cgroup.controllers"
for f in cgroup.procs pids.current pids.max pids.peak pids.events; do
  cat "/sys/fs/cgroup/$SCOPE/$f" > "$OUT/cgroup/$SCOPE/$f" 2>/dev/null || true
done
for f in pids.max pids.current pids.events; do cat "/sys/fs/cgroup/system.slice/$f" > "$OUT/cgroup/system.slice/$f"; done
systemctl show -p TasksMax -p TasksCurrent "docker-$ID.scope" > "$OUT/systemctl-show-scope.txt"
systemctl show -p DefaultTasksMax > "$OUT/systemctl-show-manager.txt"
cat /proc/loadavg > "$OUT/proc/loadavg"
cat /proc/sys/kernel/pid_max > "$OUT/proc/sys/kernel/pid_max"
cat /proc/sys/kernel/threads-max > "$OUT/proc/sys/kernel/threads-max"
copy_task() { # $1 = /proc/<pid>/task/<tid> source, $2 = dest
  mkdir -p "$2"
  for f in stat comm wchan syscall children; do cat "$1/$f" > "$2/$f" 2>/dev/null || true; done
}
for p in $(cat "/sys/fs/cgroup/$SCOPE/cgroup.procs"); do
  mkdir -p "$OUT/proc/$p"
  for f in stat comm cmdline cgroup; do cat "/proc/$p/$f" > "$OUT/proc/$p/$f"; done
  for t in $(ls "/proc/$p/task"); do copy_task "/proc/$p/task/$t" "$OUT/proc/$p/task/$t"; done
done
docker logs --timestamps --tail 50 "$ID" > "$OUT/logs.txt" 2>&1
echo "$ID $PID" > "$OUT/ids.txt"
