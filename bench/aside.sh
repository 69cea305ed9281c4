#!/bin/sh
# bench/aside.sh TRASH PATH…: moves the paths into a new folder under
# TRASH (on the same filesystem) instead of deleting them, then syncs.
# On ext4, creating files right after deleting thousands makes every new
# inode search past the recently deleted ones (the kernel's
# recently_deleted()): ten seconds for either tool, which would measure
# the filesystem, not the generator. bench/run.sh empties TRASH at the end.
trash="$1"
shift
dest="$trash/$(date +%s%N)"
mkdir -p "$dest"
for path in "$@"; do
  if [ -e "$path" ]; then mv "$path" "$dest/"; fi
done
sync
