#!/usr/bin/env bash
# Starts one night's run: the shard Job, then, once it has finished
# (passed or not), the merge Job, both named after this run's id.
#   deploy/kubernetes/run-nightly.sh            # RUN_ID = UTC timestamp
#   RUN_ID=20261206-0300 deploy/kubernetes/run-nightly.sh
# Needs kubectl with a context on the namespace; pvc.yaml, scenario.yaml
# and the refreshstorm-users Secret are applied once beforehand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RUN_ID=${RUN_ID:-$(date -u +%Y%m%d-%H%M%S)}
case "$RUN_ID" in
  *[!a-z0-9-]* | "" ) echo "RUN_ID '$RUN_ID': lower-case letters, digits and - only" >&2; exit 2 ;;
esac
render() { sed "s/\${RUN_ID}/$RUN_ID/g" "$here/$1"; }

# finished JOB: waits until the Job is Complete or Failed (bounded; each
# Job's activeDeadlineSeconds ends it sooner) and prints which.
finished() {
  local state=""
  for _ in $(seq 1 400); do
    state=$(kubectl get job "$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
    case "$state" in *Complete* | *Failed*) break ;; esac
    sleep 5
  done
  echo "${state:-unfinished}"
}

render job.yaml | kubectl create -f -
echo "run $RUN_ID: shards write /results/$RUN_ID/shard-0..3"
echo "shards: $(finished "refreshstorm-shards-$RUN_ID")"
# The merge runs even when a shard's own verdict failed: it judges the whole.
render merge-job.yaml | kubectl create -f -
state=$(finished "refreshstorm-merge-$RUN_ID")
echo "merge: $state (results in /results/$RUN_ID/merged)"
[[ "$state" == *Complete* ]]
