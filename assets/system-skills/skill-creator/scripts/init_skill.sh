#!/bin/sh
# Create the skeleton of a new skill: <parent>/<name>/SKILL.md (+ scripts/,
# references/). Refuses to touch an existing folder.
set -eu
usage() { echo "usage: init_skill.sh NAME [PARENT_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
name=$1
case $name in
  ''|-*|*[!a-z0-9-]*) echo "init_skill.sh: '$name': use lower-case letters, digits and hyphens" >&2; exit 2 ;;
esac
[ ${#name} -le 64 ] || { echo "init_skill.sh: '$name' is longer than 64 characters" >&2; exit 2; }
parent=${2:-${CODEX_HOME:-$HOME/.codex}/skills}
dir=$parent/$name
[ ! -e "$dir" ] || { echo "init_skill.sh: $dir already exists; not overwriting" >&2; exit 1; }
mkdir -p "$dir/scripts" "$dir/references"
cat > "$dir/SKILL.md" <<SKILL
---
name: $name
description: TODO - what this skill does, then "Use when ..." with the requests that should trigger it.
---

# $name

TODO: the steps another agent should follow. Point to scripts/ and
references/ files by relative path and say when each is needed.
SKILL
echo "created $dir"
echo "next: edit $dir/SKILL.md, then run: sh $(dirname "$0")/check_skill.sh $dir"
