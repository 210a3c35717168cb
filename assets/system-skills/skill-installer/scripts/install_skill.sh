#!/bin/sh
# Install a skill folder into $CODEX_HOME/skills from a local path or a git
# repository, through a temporary folder so a failure leaves nothing behind.
set -eu
prog=install_skill.sh
die() { echo "$prog: $*" >&2; exit 1; }
usage() { echo "usage: $prog SOURCE [--path SUBDIR] [--ref REF] [--name NAME] [--force] | --list" >&2; exit 2; }
dest_root=${CODEX_HOME:-$HOME/.codex}/skills

if [ "${1:-}" = "--list" ]; then
  [ -d "$dest_root" ] || { echo "no skills in $dest_root"; exit 0; }
  for f in "$dest_root"/*/SKILL.md; do
    [ -f "$f" ] || continue
    d=$(sed -n '2,/^---$/s/^description:[[:space:]]*//p' "$f" | head -n 1)
    printf '%s\t%s\n' "$(basename "$(dirname "$f")")" "$d"
  done
  exit 0
fi

[ $# -ge 1 ] || usage
src=$1; shift
sub= ref= name= force=
while [ $# -gt 0 ]; do
  case $1 in
    --path) [ $# -ge 2 ] || usage; sub=$2; shift 2 ;;
    --ref) [ $# -ge 2 ] || usage; ref=$2; shift 2 ;;
    --name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
    --force) force=1; shift ;;
    *) usage ;;
  esac
done
case $sub in /*|*..*) die "--path '$sub' must be relative and stay inside the repository" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/skill-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ -d "$src" ] && [ -z "$ref" ]; then
  from=$src${sub:+/$sub}
else
  case $src in
    */*/*|*:*|/*|.*) url=$src ;;
    */*) url=https://github.com/$src.git ;;
    *) die "'$src' is neither a folder nor a git URL" ;;
  esac
  command -v git >/dev/null 2>&1 || die "git is not installed"
  git clone --quiet --depth 1 ${ref:+--branch "$ref"} -- "$url" "$work/repo" ||
    die "git clone $url failed (network access, the URL or the ref)"
  from=$work/repo${sub:+/$sub}
fi
[ -d "$from" ] || die "$from: no such folder"
from=$(cd "$from" && pwd)
[ -f "$from/SKILL.md" ] || die "$from has no SKILL.md; pass --path to the skill folder"
[ "$(sed -n 1p "$from/SKILL.md")" = "---" ] || die "$from/SKILL.md:1: no front matter ('---' line)"
head -n 40 "$from/SKILL.md" | grep -q '^name:' || die "$from/SKILL.md: the front matter has no name"
head -n 40 "$from/SKILL.md" | grep -q '^description:' || die "$from/SKILL.md: the front matter has no description"

[ -n "$name" ] || name=$(basename "$from")
case $name in ''|.*|*/*) die "'$name' is not a usable folder name; pass --name" ;; esac
target=$dest_root/$name
if [ -e "$target" ] && [ -z "$force" ]; then
  die "$target already exists; pass --force to replace it"
fi

mkdir -p "$dest_root"
stage=$dest_root/.install-$name.$$
rm -rf "$stage"
mkdir "$stage"
(cd "$from" && tar cf - --exclude=.git .) | (cd "$stage" && tar xf -) || { rm -rf "$stage"; die "copying $from failed"; }
if [ -e "$target" ]; then
  old=$dest_root/.replaced-$name.$$
  mv "$target" "$old"
  mv "$stage" "$target" || { mv "$old" "$target"; die "could not move the new copy into place"; }
  rm -rf "$old"
else
  mv "$stage" "$target"
fi
echo "installed $name into $target; restart Codex to pick up new skills"
