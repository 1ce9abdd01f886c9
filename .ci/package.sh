#!/usr/bin/env bash
# Both crates must be publishable: `cargo publish --dry-run --workspace` packages
# them together (the mock depends on the SDK by version and path), builds each
# from its packaged sources, and stops short of uploading. Then the file lists
# are checked: sources, README and both licences in; tests, benches, fuzz
# corpora, fixtures and snapshots out (they would only make the download big).
set -euo pipefail
cd "$(dirname "$0")/.."
# A clean clone has nothing uncommitted; a developer's tree may (the lists
# below still say what a release would hold).
dirty=()
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then dirty=(--allow-dirty); fi

# Debug info is what makes a from-scratch verify build slow; the verify only
# needs to know the packaged sources compile.
export CARGO_PROFILE_DEV_DEBUG=false
# `cargo package` verifies each crate from its packaged sources and leaves the
# .crate files in target/package/; the dry-run publish then checks what an
# upload would check (metadata, the dependency on the SDK by version).
cargo package --workspace --locked "${dirty[@]}"
cargo publish --dry-run --workspace --locked --no-verify "${dirty[@]}"

fail=0
for crate in genesys-usage genesys-usage-mock; do
  file=target/package/$crate-0.1.0.crate
  list=$(tar tzf "$file" | sed "s|^$crate-0.1.0/||")
  for need in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE src/lib.rs; do
    grep -qx "$need" <<<"$list" || { echo "$crate: $need is missing from the package" >&2; fail=1; }
  done
  if grep -E '^(tests|benches|bench|fuzz|fixtures|proptest-regressions|docs)/|\.snap$' <<<"$list"; then
    echo "$crate: the package holds files only the repository needs (above)" >&2
    fail=1
  fi
  printf '%s: %s files, %s bytes compressed\n' "$crate" "$(wc -l <<<"$list")" "$(stat -c %s "$file")"
done
exit "$fail"
