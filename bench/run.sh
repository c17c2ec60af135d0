#!/usr/bin/env bash
# bench/run.sh BUILD_DIR - run every benchmark; print machine-readable lines.
#
# 1. queue: each event-queue implementation (ladder = the engine's default,
#    heap2/4/8 = d-ary heaps) under the hold and reschedule workloads, 10 to
#    10^6 pending events (bench/queue_bench.c).
# 2. phold: scsinet (ladder; heap4 for reference) against every ns-3
#    scheduler, in the same run, at N=1024,P=16 and N=65536,P=16.  Runs are
#    interleaved and repeated PHOLD_REPS times; each engine's best run
#    counts (shared machines are noisy; the best run is the least
#    disturbed).  A ratio line per size compares scsinet's best with the
#    best of the fastest ns-3 scheduler.  Every run must end at the same
#    simulated time with the same checksum, or the two engines did not do
#    the same work: that fails the benchmark.
#
# 3. bus_stream: 64 KiB DATA OUT commands back to back for one simulated
#    second on narrow async, narrow Fast sync and Fast-Wide sync, each
#    STREAM_REPS times interleaved; a best line per mode gives the best
#    real-time factor (target 1.0 for Fast-Wide).  Then 0.1 s of
#    Fast-Wide with and without a VCD being written, and with and without
#    lookahead (bus.h): every simulated figure and the VCD bytes must be
#    identical, and no run may report a lookahead conflict.
#
# 4. adapter_stream: two hosts sending 65535-byte SEND MESSAGE(10)
#    datagrams back to back through each adapter profile (aha1522,
#    aic6360, pci-fw) for ADAPTER_SECONDS of simulated time, and the ISA
#    profiles again on bare ISA cycles (no I/O recovery): payload MB/s,
#    where the host's time goes, and which resource limits.  Two runs of
#    each must give the same figures, and a run under the protocol
#    checker must find no violation.
#
# Environment: QUEUE_OPS (default 1000000), PHOLD_E_SMALL (5000000),
# PHOLD_E_LARGE (5000000), PHOLD_REPS (3), NS3_LIMIT_S (90: a slower ns-3
# run is stopped and reported as status=timeout), SKIP_QUEUE=1,
# SKIP_PHOLD=1, STREAM_REPS (5), VCD_SECONDS (0.1), ADAPTER_SECONDS (1.0),
# SKIP_ADAPTER=1.
set -uo pipefail
b=${1:-build}/bench
reps=${PHOLD_REPS:-3}
limit=${NS3_LIMIT_S:-90}
status=0

if [ "${SKIP_QUEUE:-0}" != 1 ]; then
  for q in ladder heap2 heap4 heap8; do
    "$b/queue_bench_$q" "${QUEUE_OPS:-1000000}" || status=1
  done
fi

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a>b)}'; }

phold_size() {
  local n=$1 p=$2 e=$3 line v ref_end="" ref_sum="" name
  declare -A best=()
  local -A dead=()
  local runs=("scsinet:$b/phold_ladder" "scsinet-heap4:$b/phold_heap4")
  if [ -x "$b/phold_ns3" ]; then
    for s in Map Heap Calendar PriorityQueue; do runs+=("ns3-$s:$b/phold_ns3 $s"); done
  fi
  for rep in $(seq "$reps"); do
    for r in "${runs[@]}"; do
      name=${r%%:*}
      [ -n "${dead[$name]:-}" ] && continue
      if [[ $name == ns3-* ]]; then
        line=$(timeout "$limit" ${r#*:} "$n" "$p" "$e")
        if [ $? -eq 124 ]; then
          echo "phold engine=ns3 sched=${name#ns3-} N=$n P=$p E=$e status=timeout limit_s=$limit"
          dead[$name]=1
          continue
        fi
      else
        line=$(${r#*:} "$n" "$p" "$e")
      fi
      echo "$line rep=$rep"
      if [ -z "$ref_end" ]; then
        ref_end=$(field sim_end_ns "$line"); ref_sum=$(field checksum "$line")
      elif [ "$(field sim_end_ns "$line")" != "$ref_end" ] ||
           [ "$(field checksum "$line")" != "$ref_sum" ]; then
        echo "phold MISMATCH $name N=$n P=$p: not the same work as the first run" >&2
        status=1
      fi
      v=$(field events_per_s "$line")
      if gt "$v" "${best[$name]:-0}"; then best[$name]=$v; fi
    done
  done
  local fast=0 fast_name=""
  for name in "${!best[@]}"; do
    [[ $name == ns3-* ]] || continue
    if gt "${best[$name]}" "$fast"; then fast=${best[$name]}; fast_name=${name#ns3-}; fi
  done
  if [ -z "$fast_name" ]; then
    echo "phold ratio N=$n P=$p skipped=no-ns3 scsinet_best=${best[scsinet]}"
    return
  fi
  awk -v n="$n" -v p="$p" -v o="${best[scsinet]}" -v f="$fast" -v s="$fast_name" -v reps="$reps" \
    'BEGIN{printf "phold ratio N=%s P=%s scsinet_best=%d fastest_ns3=%s ns3_best=%d ratio=%.2f target=2.00 reps=%d\n", n, p, o, s, f, o/f, reps}'
}

if [ "${SKIP_PHOLD:-0}" != 1 ]; then
  phold_size 1024 16 "${PHOLD_E_SMALL:-5000000}"
  phold_size 65536 16 "${PHOLD_E_LARGE:-5000000}"
fi

# what the model computes (events too, except across lookahead on/off)
model_fields() { tr ' ' '\n' <<<"$1" | grep -E '^(bytes|commands|sim_s|mb_per_s|cmd_us|overhead_us_per_cmd)='; }
sim_fields() { model_fields "$1"; tr ' ' '\n' <<<"$1" | grep -E '^events='; }
# a run that fails, prints no figures or reports a lookahead conflict
# fails the benchmark
stream() {
  local out
  if ! out=$("$b/bus_stream" "$@") || [ -z "$(sim_fields "$out")" ]; then
    echo "bus_stream FAILED: bus_stream $*" >&2
    status=1
    return 1
  fi
  case "$out" in
    *" conflicts=0"*) ;;
    *) echo "bus_stream LOOKAHEAD CONFLICT: bus_stream $*" >&2; status=1 ;;
  esac
  echo "$out"
}
declare -A best_rtf=() first=()
for ((r = 1; r <= ${STREAM_REPS:-5}; r++)); do
  for m in async fast fastwide; do
    line=$(stream "$m" 1.0) || continue
    echo "$line"
    if [ -z "${first[$m]:-}" ]; then
      first[$m]=$(sim_fields "$line")
    elif [ "${first[$m]}" != "$(sim_fields "$line")" ]; then
      echo "bus_stream MISMATCH: two runs of $m differ" >&2
      status=1
    fi
    v=$(field rtf "$line")
    if [ -z "${best_rtf[$m]:-}" ] || gt "$v" "${best_rtf[$m]}"; then
      best_rtf[$m]=$v
    fi
  done
done
for m in async fast fastwide; do
  [ -n "${best_rtf[$m]:-}" ] || continue
  t=""
  [ "$m" = fastwide ] && t=" target=1.00"
  echo "bus_stream best mode=$m rtf=${best_rtf[$m]}$t reps=${STREAM_REPS:-5}"
done
# a VCD of Fast-Wide grows about 1 GB per simulated second: compare 0.1 s
vs=${VCD_SECONDS:-0.1}
vcd=$(mktemp /tmp/bus_stream.XXXXXX.vcd)
vcd2=$(mktemp /tmp/bus_stream.XXXXXX.vcd)
plain=$(stream fastwide "$vs") || true
traced=$(stream fastwide "$vs" "$vcd") || true
echo "$traced vcd_bytes=$(stat -c %s "$vcd")"
if [ -z "$plain" ] || [ -z "$traced" ]; then
  echo "bus_stream vcd_identical=unknown (a run failed)" >&2
  status=1
elif [ "$(sim_fields "$plain")" != "$(sim_fields "$traced")" ]; then
  echo "bus_stream MISMATCH: writing a VCD changed the simulation" >&2
  status=1
else
  echo "bus_stream vcd_identical=yes"
fi
# lookahead changes the number of events, never the lines
slow=$(stream --no-lookahead fastwide "$vs" "$vcd2") || true
echo "$slow"
if [ -z "$slow" ] || [ -z "$traced" ]; then
  echo "bus_stream lookahead_identical=unknown (a run failed)" >&2
  status=1
elif [ "$(model_fields "$slow")" != "$(model_fields "$traced")" ] ||
     ! cmp -s "$vcd" "$vcd2"; then
  echo "bus_stream MISMATCH: lookahead changed the simulation" >&2
  status=1
else
  echo "bus_stream lookahead_identical=yes"
fi
rm -f "$vcd" "$vcd.gtkw" "$vcd2" "$vcd2.gtkw"

# the protocol checker on the same stream: a correct model breaks no rule
for m in async fastwide; do
  line=$(stream --check "$m" "$vs") || continue
  echo "$line"
  case "$line" in
    *" violations=0"*) ;;
    *) echo "bus_stream CHECKER found violations in $m" >&2; status=1 ;;
  esac
done

# the adapter profiles, host side and all
adapter_fields() { tr ' ' '\n' <<<"$1" | grep -E '^(bytes|commands|mb_per_s|host_share|host_data_share|cpu_share|irq_share|scsi_share|scsi_data_share|limit)='; }
if [ "${SKIP_ADAPTER:-0}" != 1 ]; then
  as=${ADAPTER_SECONDS:-1.0}
  for args in "aha1522" "aic6360" "pci-fw" "--bare-isa aha1522" "--bare-isa aic6360"; do
    # shellcheck disable=SC2086
    one=$("$b/adapter_stream" $args "$as") || { echo "adapter_stream FAILED: $args" >&2; status=1; continue; }
    echo "$one"
    # shellcheck disable=SC2086
    two=$("$b/adapter_stream" $args "$as") || { status=1; continue; }
    if [ "$(adapter_fields "$one")" != "$(adapter_fields "$two")" ]; then
      echo "adapter_stream MISMATCH: two runs of $args differ" >&2
      status=1
    fi
  done
  for p in aha1522 aic6360 pci-fw; do
    line=$("$b/adapter_stream" --check "$p" 0.05) || { status=1; continue; }
    echo "$line"
    case "$line" in
      *" violations=0"*) ;;
      *) echo "adapter_stream CHECKER found violations in $p" >&2; status=1 ;;
    esac
  done
fi
exit $status
