#!/usr/bin/env bash
# tools/debug.sh ISO KERNEL_ELF [qemu.py topology options...]
# Starts the NUMA guest paused with QEMU's gdbstub on localhost:1234 and
# attaches GDB with the kernel's symbols. The kernel console goes to
# build/debug-serial.log (follow it with: tail -f build/debug-serial.log).
# Run it from the repository root: tools/gdb/archipel.gdb sources
# tools/gdb/archipel.py (the `archipel` commands) by that relative path.
# Quitting GDB stops QEMU.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 ISO KERNEL_ELF [qemu.py options]" >&2; exit 2; }
iso=$1 elf=$2
shift 2
[[ -f tools/gdb/archipel.py ]] || { echo "$0: run from the repository root" >&2; exit 2; }
log=build/debug-serial.log
mkdir -p build
: > "$log"

python3 tools/qemu.py --iso "$iso" "$@" --gdb --paused --log "$log" </dev/null >/dev/null &
qemu=$!
trap 'kill $qemu 2>/dev/null || true; wait $qemu 2>/dev/null || true' EXIT

echo "archipel: guest paused, gdbstub on localhost:1234; console in $log (tail -f $log)"
gdb -q -x tools/gdb/archipel.gdb "$elf"
