#!/usr/bin/env bash
# Renders every kustomization of deploy/kubernetes (the base and each overlay) with
# `kubectl kustomize` and validates the result offline against the Kubernetes and KEDA schemas
# and the rules of docs/kubernetes.md (validate/validate.mjs). No cluster is needed.
#
# Needs kubectl (Debian: apt-get install kubernetes-client; its kustomize v2.0.3 is the oldest
# these files are written for) and Node.js 18 or newer with npm (apt-get install nodejs npm).
# The validator's packages are pinned by validate/package-lock.json and installed by `npm ci`
# on first use (about 35 MB under validate/node_modules/).
#
# Then it proves it can fail: the rendered base with a misspelled field, and with a string
# where a number belongs, must both be refused.
set -euo pipefail
cd "$(dirname "$0")"

for tool in kubectl node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "validate.sh: $tool is missing (Debian: apt-get install kubernetes-client nodejs npm)" >&2
    exit 2
  fi
done

# npm ci again only when the lockfile changed since the last install
if ! cmp -s validate/package-lock.json validate/node_modules/.installed-package-lock.json; then
  (cd validate && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
  cp validate/package-lock.json validate/node_modules/.installed-package-lock.json
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

rendered=()
for dir in base overlays/*/; do
  dir=${dir%/}
  name=${dir//\//-}
  # the newer kustomize of a recent kubectl warns on stderr about fields v2.0.3 needs
  kubectl kustomize "$dir" >"$out/$name.yaml" 2>"$out/$name.err" || {
    cat "$out/$name.err" >&2
    echo "validate.sh: kubectl kustomize $dir failed" >&2
    exit 1
  }
  rendered+=("$out/$name.yaml")
done

for file in "${rendered[@]}"; do
  printf '%s: ' "$(basename "$file" .yaml)"
  node validate/validate.mjs "$file"
done

# The validator must refuse a broken manifest: a misspelled field, and a wrong type.
sed 's/readinessProbe:/readinesProbe:/' "$out/base.yaml" >"$out/broken-field.yaml"
sed 's/terminationGracePeriodSeconds: 40$/terminationGracePeriodSeconds: "40"/' "$out/base.yaml" \
  >"$out/broken-type.yaml"
for broken in broken-field broken-type; do
  if cmp -s "$out/base.yaml" "$out/$broken.yaml"; then
    echo "validate.sh: the $broken self-check changed nothing: update its sed expression" >&2
    exit 1
  fi
  if node validate/validate.mjs "$out/$broken.yaml" >"$out/$broken.out" 2>&1; then
    echo "validate.sh: the validator accepted a $broken manifest" >&2
    exit 1
  fi
  echo "self-check: $broken refused ($(head -1 "$out/$broken.out"))"
done
