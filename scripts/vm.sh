#!/usr/bin/env bash
# A small Debian bookworm VM where Dify's incident happens for real: systemd as init, the unified cgroup v2
# hierarchy, docker.io with the systemd cgroup driver, the leaker fixture image, and Node 20 to run the console.
# The test machines are cgroup v1 without KVM, so the VM boots under QEMU's TCG (software emulation).
#
#   scripts/vm.sh build                      build the disk image once; prints its cache directory
#   scripts/vm.sh boot RUN SSH_PORT HTTP_PORT [CONSOLE_DIR]
#                                            boot a throwaway copy (qcow2 overlay) with its state in RUN, ports
#                                            forwarded from 127.0.0.1 only; CONSOLE_DIR (the console's
#                                            .next/standalone) becomes a second disk mounted at /opt/leakwatch
#   scripts/vm.sh ssh RUN COMMAND...         run a command in the VM as root
#   scripts/vm.sh stop RUN                   power the VM off (its pid from RUN/qemu.pid) and wait for it
#
# The image is cached in /var/cache/leakwatch/vm-<hash of its inputs>: this script, the Node binary and the leaker
# image. The console changes every commit, so it is never baked in: it comes in at boot as its own disk.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LEAKWATCH_VM_CACHE:-/var/cache/leakwatch}"
MIRROR="${LEAKWATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
LEAKER_IMAGE="leakwatch-fixture/leaker:latest"
NODE_BIN="${LEAKWATCH_VM_NODE:-/usr/bin/node}"
# systemd's DefaultTasksMax is 15% of min(kernel.threads-max, kernel.pid_max - 1): 4000 threads make it 600, reached
# in seconds by the leaker, while the whole VM (kernel threads, dockerd, containerd, the console) stays far below.
THREADS_MAX=4000
PACKAGES=systemd,systemd-sysv,dbus,udev,kmod,procps,iproute2,linux-image-amd64,initramfs-tools,docker.io,openssh-server,libstdc++6

log() { printf 'vm: %s\n' "$*" >&2; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

need_tools() {
  local missing=()
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
  command -v qemu-img >/dev/null || missing+=(qemu-utils)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v mke2fs >/dev/null || missing+=(e2fsprogs)
  command -v ssh >/dev/null || missing+=(openssh-client)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# The image is keyed by what it is built from: the build steps of this script (everything above `vm_ssh`), the Node
# binary and the leaker image. The debootstrap tree, the slow part, is keyed by the package list alone.
image_hash() {
  [ -x "$NODE_BIN" ] || die "no Node binary at $NODE_BIN"
  local leaker
  leaker="$(docker image inspect --format '{{ index .Config.Labels "leakwatch.fixture.hash" }}' "$LEAKER_IMAGE" 2>/dev/null)" \
    || die "no $LEAKER_IMAGE (run scripts/build-fixtures.sh)"
  { sed -n '1,/^vm_ssh() {/p' "${BASH_SOURCE[0]}"; sha256sum <"$NODE_BIN"; printf 'leaker %s\n' "$leaker"; } | sha256sum | cut -c1-16
}

# debootstrap once per package list: the tree is kept as a tarball, unpacked for each image build.
base_tree() {
  local fs="$1" tarball
  tarball="$CACHE/debootstrap-bookworm-$(printf '%s %s' "$PACKAGES" "$MIRROR" | sha256sum | cut -c1-16).tar"
  if [ ! -f "$tarball" ]; then
    log "debootstrap of bookworm from $MIRROR (several minutes)"
    rm -rf "$fs" && mkdir -p "$fs"
    debootstrap --variant=minbase --include="$PACKAGES" bookworm "$fs" "$MIRROR" >"$fs.debootstrap.log" 2>&1 \
      || { tail -n 30 "$fs.debootstrap.log" >&2; die "debootstrap failed (log: $fs.debootstrap.log)"; }
    rm -rf "$fs/var/cache/apt/archives/"*.deb "$fs/var/lib/apt/lists/"*
    tar -C "$fs" --numeric-owner --xattrs -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
  else
    rm -rf "$fs" && mkdir -p "$fs"
    tar -C "$fs" --numeric-owner --xattrs -xf "$tarball"
  fi
}

# Files written into the guest's root file system before it is packed into the disk image.
configure_rootfs() {
  local fs="$1" key="$2"
  echo leakwatch-vm >"$fs/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 leakwatch-vm\n' >"$fs/etc/hosts"
  printf '/dev/vda / ext4 rw,noatime 0 0\nLABEL=lwconsole /opt/leakwatch ext4 rw,noatime,nofail,x-systemd.device-timeout=10s 0 0\n' >"$fs/etc/fstab"
  mkdir -p "$fs/opt/leakwatch" "$fs/root/.ssh" "$fs/var/lib/leakwatch" "$fs/etc/docker" "$fs/etc/systemd/system/docker.service.d" "$fs/etc/systemd/network"
  chmod 700 "$fs/root/.ssh"
  cp "$key.pub" "$fs/root/.ssh/authorized_keys"
  # Only QEMU's user network, which has no route out: a fixed address, no DHCP wait.
  printf '[Match]\nName=en* eth*\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\nLinkLocalAddressing=no\n' >"$fs/etc/systemd/network/20-user.network"
  printf 'kernel.threads-max = %s\n' "$THREADS_MAX" >"$fs/etc/sysctl.d/90-leakwatch.conf"
  printf '{\n  "exec-opts": ["native.cgroupdriver=systemd"]\n}\n' >"$fs/etc/docker/daemon.json"
  # No bridge, no iptables: containers here run with --network none, and the VM must not route anything.
  printf '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --bridge=none --iptables=false --ip-masq=false\n' \
    >"$fs/etc/systemd/system/docker.service.d/leakwatch.conf"
  cat >"$fs/etc/systemd/system/leakwatch-images.service" <<'UNIT'
[Unit]
Description=Load the leaker fixture image into Docker
After=docker.service
Requires=docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'docker image inspect leakwatch-fixture/leaker:latest >/dev/null 2>&1 || docker load -i /var/lib/leakwatch/leaker.tar'

[Install]
WantedBy=multi-user.target
UNIT
  # The copied Node is the host's (NodeSource's nodejs 20 for bookworm): the same glibc and libstdc++ as the guest.
  install -m 0755 "$NODE_BIN" "$fs/usr/local/bin/node"
  docker save "$LEAKER_IMAGE" -o "$fs/var/lib/leakwatch/leaker.tar"
  chroot "$fs" systemctl enable systemd-networkd.service leakwatch-images.service >/dev/null 2>&1
  chroot "$fs" systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer fstrim.timer man-db.timer >/dev/null 2>&1 || true
  chroot "$fs" passwd -d root >/dev/null
  rm -f "$fs/etc/machine-id" && touch "$fs/etc/machine-id"
}

build() {
  need_tools
  local hash dir
  hash="$(image_hash)"
  dir="$CACHE/vm-$hash"
  mkdir -p "$CACHE"
  exec 8>"$CACHE/vm-$hash.lock"
  flock -w 3600 8 || die "timed out waiting for another build of $dir"
  if [ -f "$dir/ready" ]; then
    echo "$dir"
    return 0
  fi
  local started tmp
  started=$(date +%s)
  tmp="$dir.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  log "building $dir"
  ssh-keygen -q -t ed25519 -N '' -C leakwatch-vm -f "$tmp/id_ed25519"
  base_tree "$tmp/rootfs"
  configure_rootfs "$tmp/rootfs" "$tmp/id_ed25519"
  local kernel
  kernel="$(ls "$tmp/rootfs/boot/" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)"
  [ -n "$kernel" ] && [ -f "$tmp/rootfs/boot/initrd.img-$kernel" ] || die "no kernel and initrd in $tmp/rootfs/boot"
  cp "$tmp/rootfs/boot/vmlinuz-$kernel" "$tmp/vmlinuz"
  cp "$tmp/rootfs/boot/initrd.img-$kernel" "$tmp/initrd.img"
  # mke2fs packs the directory as it is (owners, modes, devices, xattrs) without a loop device or mount.
  mke2fs -q -t ext4 -L lwroot -d "$tmp/rootfs" "$tmp/disk.raw" 4G
  rm -rf "$tmp/rootfs"
  echo "$(( $(date +%s) - started ))" >"$tmp/build-seconds"
  touch "$tmp/ready"
  mv "$tmp" "$dir"
  log "built $dir in $(cat "$dir/build-seconds")s"
  echo "$dir"
}

ssh_opts() {
  local run="$1"
  echo "-i $(cat "$run/image")/id_ed25519 -p $(cat "$run/ssh-port") -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 -o BatchMode=yes"
}

vm_ssh() {
  local run="$1"
  shift
  # shellcheck disable=SC2046  # the options are words on purpose
  ssh $(ssh_opts "$run") root@127.0.0.1 "$@"
}

boot() {
  local run="$1" ssh_port="$2" http_port="$3" console_dir="${4:-}"
  local image
  image="$(build)"
  mkdir -p "$run"
  echo "$image" >"$run/image"
  echo "$ssh_port" >"$run/ssh-port"
  rm -f "$run/overlay.qcow2" "$run/console.raw" "$run/serial.log"
  qemu-img create -q -f qcow2 -b "$image/disk.raw" -F raw "$run/overlay.qcow2"
  local drives=(-drive "file=$run/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe")
  if [ -n "$console_dir" ]; then
    [ -f "$console_dir/leakwatch-server.mjs" ] || die "$console_dir is not a prepared standalone build (run npx next build && bash scripts/prepare-standalone.sh)"
    local kib
    kib=$(du -sk "$console_dir" | cut -f1)
    mke2fs -q -t ext4 -L lwconsole -d "$console_dir" "$run/console.raw" "$(( kib * 3 / 2 + 65536 ))k"
    drives+=(-drive "file=$run/console.raw,if=virtio,format=raw,cache=unsafe")
  fi
  local started
  started=$(date +%s)
  # TCG: no KVM here. Only loopback ports are forwarded; restrict=on gives the guest no route to anything else.
  qemu-system-x86_64 -accel tcg -m 2048 -smp 2 -display none -monitor none -no-reboot \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet apparmor=0 sysctl.kernel.threads-max=$THREADS_MAX" \
    "${drives[@]}" \
    -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$ssh_port-:22,hostfwd=tcp:127.0.0.1:$http_port-:3000" \
    -device virtio-net-pci,netdev=net0 \
    -serial "file:$run/serial.log" -pidfile "$run/qemu.pid" -daemonize
  log "booting (serial log $run/serial.log); waiting for ssh on 127.0.0.1:$ssh_port"
  local deadline=$(( started + ${LEAKWATCH_VM_BOOT_TIMEOUT:-900} ))
  until vm_ssh "$run" true 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "no ssh after $(( $(date +%s) - started ))s (serial log $run/serial.log)"
    kill -0 "$(cat "$run/qemu.pid")" 2>/dev/null || die "qemu exited (serial log $run/serial.log)"
    sleep 3
  done
  local ssh_at
  ssh_at=$(( $(date +%s) - started ))
  until vm_ssh "$run" 'systemctl is-active --quiet leakwatch-images.service'; do
    [ "$(date +%s)" -lt "$deadline" ] || die "docker or the leaker image not ready after $(( $(date +%s) - started ))s"
    sleep 3
  done
  echo "$(( $(date +%s) - started ))" >"$run/boot-seconds"
  log "booted: ssh after ${ssh_at}s, docker with the leaker image after $(cat "$run/boot-seconds")s"
}

stop() {
  local run="$1" pid
  [ -f "$run/qemu.pid" ] || return 0
  pid="$(cat "$run/qemu.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    vm_ssh "$run" 'systemctl poweroff' 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$run/qemu.pid" "$run/overlay.qcow2" "$run/console.raw"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  build) build ;;
  boot) [ $# -ge 3 ] || die "usage: vm.sh boot RUN SSH_PORT HTTP_PORT [CONSOLE_DIR]"; boot "$@" ;;
  ssh) [ $# -ge 2 ] || die "usage: vm.sh ssh RUN COMMAND..."; vm_ssh "$@" ;;
  stop) [ $# -eq 1 ] || die "usage: vm.sh stop RUN"; stop "$1" ;;
  *) die "usage: vm.sh build | boot RUN SSH_PORT HTTP_PORT [CONSOLE_DIR] | ssh RUN COMMAND... | stop RUN" ;;
esac
