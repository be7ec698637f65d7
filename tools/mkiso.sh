#!/usr/bin/env bash
# tools/mkiso.sh KERNEL_ELF INITRAMFS CMDLINE OUT_ISO
# Builds a BIOS-bootable GRUB 2 ISO that loads KERNEL_ELF by multiboot2 with
# the kernel command line CMDLINE and INITRAMFS as its module.
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: $0 KERNEL_ELF INITRAMFS CMDLINE OUT_ISO" >&2; exit 2; }
kernel=$1 initramfs=$2 cmdline=$3 out=$4
case "$cmdline" in *\"*|*\\*) echo "mkiso.sh: the command line may not hold \" or \\" >&2; exit 2;; esac

dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/archipel.elf"
cp "$initramfs" "$dir/boot/initramfs.cpio"
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set timeout_style=hidden
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "Archipel" {
    multiboot2 /boot/archipel.elf $cmdline
    module2 /boot/initramfs.cpio initramfs
    boot
}
CFG
grub-mkrescue --compress=no --locales= --fonts= --themes= \
    --install-modules="multiboot2 normal iso9660 biosdisk serial terminal configfile" \
    -o "$out" "$dir" 2>"$log" || { cat "$log" >&2; exit 1; }
