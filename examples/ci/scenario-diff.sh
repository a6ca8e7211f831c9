#!/usr/bin/env bash
# The outcome changes of a branch, as Markdown for a pull-request comment.
#
#   examples/ci/scenario-diff.sh [BASE]      (BASE defaults to origin/main)
#
# Builds gvc at BASE and at the work tree, runs every scenario under scenarios/ with each,
# and prints `gvc diff --format markdown` for every scenario whose numbers changed. A change to
# a datum, a policy or the model itself shows up the same way. Exits 0; the comment says
# what changed.
set -euo pipefail
base=${1:-origin/main}
root=$(git rev-parse --show-toplevel)
cd "$root"
tmp=$(mktemp -d)
cleanup() { git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
cargo build --release --quiet
(cd "$tmp/base" && cargo build --release --quiet)
new_gvc="$root/target/release/gvc"
old_gvc="$tmp/base/target/release/gvc"

echo "## Scenario outcomes: \`$(git rev-parse --short "$base")\` → \`$(git rev-parse --short HEAD)\`"
echo
changed=0
for f in $(git ls-files 'scenarios/*.gvc' 'scenarios/**/*.gvc' | sort -u); do
  grep -q '^scenario ' "$f" || continue           # imported data files are not scenarios
  if ! "$new_gvc" run "$f" --format json -o "$tmp/new.json" 2>"$tmp/err"; then
    echo "- \`$f\` no longer runs:"; echo; echo '```'; cat "$tmp/err"; echo '```'; changed=1; continue
  fi
  if [ ! -f "$tmp/base/$f" ]; then
    echo "- \`$f\` is new."; changed=1; continue
  fi
  if ! (cd "$tmp/base" && "$old_gvc" run "$f" --format json -o "$tmp/old.json" 2>/dev/null); then
    echo "- \`$f\` did not run at the base."; changed=1; continue
  fi
  if ! "$new_gvc" diff "$tmp/old.json" "$tmp/new.json" --format markdown >"$tmp/diff.md"; then
    echo "<details><summary><code>$f</code></summary>"; echo
    cat "$tmp/diff.md"; echo "</details>"; echo
    changed=1
  fi
done
[ "$changed" = 1 ] || echo "No scenario outcome changed."
