#!/bin/sh
# Check a skill folder the way Codex will read it: a SKILL.md that opens with
# front matter holding a name and a one-line description of <= 1024 chars.
set -eu
[ $# -eq 1 ] || { echo "usage: check_skill.sh SKILL_DIR" >&2; exit 2; }
f=$1/SKILL.md
[ -f "$f" ] || { echo "$f: missing" >&2; exit 1; }
[ "$(sed -n 1p "$f")" = "---" ] || { echo "$f:1: front matter must start with a '---' line" >&2; exit 1; }
end=$(awk 'NR > 1 && $0 == "---" { print NR; exit }' "$f")
[ -n "$end" ] || { echo "$f: front matter has no closing '---' line" >&2; exit 1; }
fm=$(sed -n "2,$((end - 1))p" "$f")
field() { printf '%s\n' "$fm" | sed -n "s/^$1:[[:space:]]*//p" | sed 's/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/' | head -n 1; }
status=0
name=$(field name)
desc=$(field description)
if [ -z "$name" ]; then echo "$f: no 'name:' in the front matter" >&2; status=1
elif printf '%s' "$name" | grep -q '[^a-z0-9-]'; then echo "$f: name '$name': use lower-case letters, digits and hyphens" >&2; status=1
fi
if [ -z "$desc" ]; then echo "$f: no 'description:' in the front matter" >&2; status=1
elif [ ${#desc} -gt 1024 ]; then echo "$f: description is ${#desc} characters; Codex cuts it at 1024" >&2; status=1
fi
case $desc in TODO*) echo "$f: the description is still the TODO placeholder" >&2; status=1 ;; esac
body=$(sed -n "$((end + 1)),\$p" "$f" | grep -c . || true)
[ "$body" -gt 0 ] || { echo "$f: the body is empty" >&2; status=1; }
[ $status -ne 0 ] || echo "$f: ok (name: $name)"
exit $status
