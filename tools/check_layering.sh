#!/usr/bin/env bash
# Checks that modules include only the modules below them (ARCHITECTURE.md,
# "Who may include whom"). Reads every #include "module/..." line of every
# .h and .cc file of each library module, the service and the CLI, and fails
# naming the file, the line and the include when a module reaches up, or when
# a library includes cli/ or service/.
#
#   tools/check_layering.sh        # from anywhere; exit 0 clean, 1 otherwise
set -euo pipefail
cd "$(dirname "$0")/.."

# module: the modules it may include (itself always allowed).
declare -A allowed=(
  [hla]=""
  [parser]="hla"
  [data]="hla"
  [matcher]="hla data"
  [impute]="hla data matcher"
  [family]="hla data matcher"
  [eligibility]="hla data matcher impute family"
  [registry]="hla parser data matcher impute family eligibility"
  [report]="hla parser data matcher impute family eligibility registry"
  [synth]="hla parser data matcher impute family eligibility registry"
  [service]="hla parser data matcher impute family eligibility registry report"
  [cli]="hla parser data matcher impute family eligibility registry report synth service"
  [python]="hla service"
)
order="hla parser data matcher impute family eligibility registry report synth service cli python"
project_dirs=" $order "

status=0
for module in $order; do
  [ -d "$module" ] || { echo "layering: module folder $module/ is missing" >&2; status=1; continue; }
  ok=" $module ${allowed[$module]} "
  while IFS= read -r hit; do
    file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}
    target=$(sed -E 's/.*#[[:space:]]*include[[:space:]]*"([a-z_]+)\/.*/\1/' <<<"$rest")
    # Only our own module folders are checked (absl/, boost/, ... are not ours).
    [[ "$project_dirs" == *" $target "* ]] || continue
    if [[ "$ok" != *" $target "* ]]; then
      echo "layering: $file:$line: module $module includes $target/ (allowed: ${allowed[$module]:-nothing})" >&2
      status=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/' "$module" \
             --include='*.h' --include='*.cc' || true)
done
if [ "$status" -eq 0 ]; then
  echo "layering: every include goes down ($order)"
fi
exit "$status"
