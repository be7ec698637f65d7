#!/usr/bin/env bash
# tools/deps.sh PURPOSE... - install the Debian packages Archipel needs, if missing.
#
# PURPOSE is one or more of: build run test debug bench-linux. Each missing package is
# installed with apt-get after a one-line message saying what and why; a
# machine without apt-get gets the list and a non-zero exit.
set -euo pipefail

declare -A why=(
  [gcc]="build: compiles the kernel and the host unit tests"
  [binutils]="build: links the kernel"
  [make]="build: drives the build"
  [python3]="build: initramfs packer, QEMU runner and test harness"
  [grub-pc-bin]="build: the BIOS GRUB 2 images of the boot ISO"
  [grub-common]="build: grub-mkrescue makes the boot ISO"
  [xorriso]="build: grub-mkrescue writes the ISO with it"
  [mtools]="build: grub-mkrescue needs it for the ISO's boot image"
  [qemu-system-x86]="run: the NUMA guest machine (qemu-system-x86_64)"
  [gdb]="debug and test: attaches to QEMU's gdbstub (make debug, tests/e2e/test_gdb.py)"
  [musl-tools]="build: musl-gcc builds the user programs of the initramfs (init, tests)"
  [apt]="bench-linux: apt-cache finds and apt-get download fetches Debian's Linux 6.1 and busybox-static"
  [dpkg]="bench-linux: dpkg-deb extracts the kernel and busybox from their .deb files"
  [tar]="bench-linux: unpacks the files dpkg-deb extracts"
  [python3-pexpect]="test: tests/e2e/test_shell.py types into make shell's console through a pty"
)
declare -A pkgs_for=(
  [build]="gcc binutils make python3 grub-pc-bin grub-common xorriso mtools musl-tools"
  [run]="qemu-system-x86"
  [test]="gcc qemu-system-x86 gdb python3-pexpect"
  [debug]="gdb qemu-system-x86"
  [bench-linux]="apt dpkg tar qemu-system-x86"
)

missing=()
for purpose in "$@"; do
  [[ -n "${pkgs_for[$purpose]:-}" ]] || { echo "deps.sh: unknown purpose '$purpose'" >&2; exit 2; }
  for p in ${pkgs_for[$purpose]}; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      [[ " ${missing[*]} " == *" $p "* ]] || missing+=("$p")
    fi
  done
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "archipel: missing packages ${missing[*]}; this is not a Debian system: install them by hand" >&2
  exit 1
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "archipel: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
for p in "${missing[@]}"; do
  echo "archipel: installing $p (${why[$p]:-needed}) with apt-get"
done
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
