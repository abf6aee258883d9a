#!/bin/sh
# tests/run.sh - runs every test of psinet and prints the totals.
#
#   tests/run.sh [--layers LIB_DIR] [--contract FILE]
#                [--fuzz FUZZER SECONDS] [--slow "TEST_NAME..."]
#                [--browser PSINET SCREENSHOT_DIR] [--pg "TEST_NAME..."]
#                BUILD_DIR... -- TEST_NAME...
#
# With --layers, tests/check_layers.sh first checks that includes point down
# the layers only and that LIB_DIR's libraries export only names with their
# layer's prefix. For each build directory (the release build, then the
# ASan+UBSan build):
# every C test binary BUILD_DIR/tests/NAME, then the integration suite
# (tests/integration, Python standard library only) against BUILD_DIR/psinet.
# With --contract, the first integration run records its HTTP exchanges in
# FILE, and at the end openapi.yaml is linted and every exchange validated
# against it (tests/contract, Node.js). With --fuzz, the libFuzzer target
# runs for SECONDS from the seed corpus (tests/fuzz/corpus) and any crash,
# leak or sanitizer report fails the run; the input that broke it is kept
# under the fuzzer's directory, artifacts/ (add it to tests/fuzz/corpus with
# the fix). The --slow tests (sweeps of millions of inputs) run once, in the
# first build directory. With --browser, the lab page is driven in Chromium
# against PSINET (tests/browser), its screenshots saved in SCREENSHOT_DIR.
# With --pg, a throwaway PostgreSQL server is started (tests/pg/server.sh,
# in a temporary directory; stopped at the end, whatever happens), every
# build directory's --pg tests (the store's suite, under the sanitizers
# too) and the first one's integration suite run again on it
# (PSINET_TEST_PG); with --contract, the exchanges of that pass are
# validated too.
# When the machine has two cores or more, the sanitizer build's passes, the
# browser and the fuzzer run in a second lane beside the first build's
# passes (release, PostgreSQL, contract), and their sections are printed
# after the first lane's; PSINET_TEST_LANES=1 runs everything in one lane.
# Each section ends with the seconds it took. The last line is
# "total: N passed, N failed"; the exit status is 0 only when nothing failed.
set -u

layers=""
contract=""
recorded=""
fuzzer=""
slow=""
if [ "${1:-}" = "--layers" ]; then layers=$2; shift 2; fi
if [ "${1:-}" = "--contract" ]; then contract=$2; shift 2; fi
if [ "${1:-}" = "--fuzz" ]; then fuzzer=$2; fuzz_seconds=$3; shift 3; fi
if [ "${1:-}" = "--slow" ]; then slow=$2; shift 2; fi
browser=""
if [ "${1:-}" = "--browser" ]; then browser=$2; shots=$3; shift 3; fi
pg_tests=""
pg_dir=""
if [ "${1:-}" = "--pg" ]; then pg_tests=$2; pg_dir=$(mktemp -d /tmp/psinet-pg-XXXXXX); shift 2; fi
dirs=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do dirs="$dirs $1"; shift; done
[ $# -gt 0 ] && shift
names="$*"
PYTHON=${PYTHON:-python3}
# Two lanes when the machine has two cores or more (PSINET_TEST_LANES=1 runs
# everything one after the other).
lanes=${PSINET_TEST_LANES:-$(nproc 2>/dev/null || echo 1)}

# Sanitizers: stop at the first report, and fail the process that had it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=88}

passed=0
failed=0
broken=""

# count LABEL LOGFILE STATUS: adds the "N passed, N failed" of a run.
count() {
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
    p=$(printf '%s\n' "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
    f=$(printf '%s\n' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    [ -n "$line" ] || { p=0; f=1; }
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -eq 0 ] || broken="$broken $1"
    printf '%-44s %s passed, %s failed\n' "$1" "$p" "$f"
}

# section NAME: ends the section under way (printing how long it took)
# and starts NAME ("" only ends it).
section_name=""
section_start=0
section() {
    now=$(date +%s)
    [ -z "$section_name" ] ||
        echo "  ($section_name: $((now - section_start)) s)"
    section_name=$1
    section_start=$now
    [ -z "$1" ] || echo "== $1"
}

log=$(mktemp)
trap 'rm -f "$log"; [ -z "$pg_dir" ] || sh tests/pg/server.sh stop "$pg_dir"' EXIT
trap 'exit 130' INT TERM
if [ -n "$layers" ]; then
    section layers
    sh tests/check_layers.sh "$layers" >"$log" 2>&1
    status=$?
    [ $status -eq 0 ] || cat "$log"
    count "includes and names keep to their layers" "$log" $status
fi
# build_pass DIR CONTRACT SLOW: DIR's C tests (and the SLOW ones), then the
# integration suite against DIR/psinet, its exchanges recorded in CONTRACT
# when that is not empty.
build_pass() {
    section "$1"
    for name in $names $3; do
        "$1/tests/$name" >"$log" 2>&1
        status=$?
        [ $status -eq 0 ] || cat "$log"
        count "$1/tests/$name" "$log" $status
    done
    if [ -n "$2" ]; then
        rm -f "$2"
        PSINET_CONTRACT_LOG="$2" PSINET_BIN="$1/psinet" \
            "$PYTHON" tests/integration/run.py >"$log" 2>&1
    else
        PSINET_BIN="$1/psinet" "$PYTHON" tests/integration/run.py >"$log" 2>&1
    fi
    status=$?
    [ $status -eq 0 ] || cat "$log"
    count "$1 integration" "$log" $status
}

pg_pass() {
    section postgresql
    if pg=$(sh tests/pg/server.sh start "$pg_dir" 2>"$log"); then
        echo "1 passed, 0 failed" >>"$log"
        count "PostgreSQL 15 started ($pg_dir)" "$log" 0
        for dir in $dirs; do # the store's suite in every build: ASan too
            for name in $pg_tests; do
                PSINET_TEST_PG=$pg "$dir/tests/$name" >"$log" 2>&1
                status=$?
                [ $status -eq 0 ] || cat "$log"
                count "$dir/tests/$name on PostgreSQL" "$log" $status
            done
        done
        pg_exchanges=""
        [ -n "$recorded" ] && pg_exchanges=$recorded.pg
        rm -f "$pg_exchanges"
        PSINET_TEST_PG=$pg PSINET_CONTRACT_LOG=$pg_exchanges \
            PSINET_BIN="$first_dir/psinet" \
            "$PYTHON" tests/integration/run.py >"$log" 2>&1
        status=$?
        [ $status -eq 0 ] || cat "$log"
        count "$first_dir integration on PostgreSQL" "$log" $status
        [ -n "$pg_exchanges" ] && [ -f "$pg_exchanges" ] &&
            cat "$pg_exchanges" >>"$recorded"
    else
        cat "$log"
        echo "0 passed, 1 failed" >"$log"
        count "PostgreSQL 15 started ($pg_dir)" "$log" 1
    fi
}

contract_pass() {
    section contract
    (cd tests/contract && npx --no-install redocly lint --format=summary \
        --config redocly.yaml ../../openapi.yaml) >"$log" 2>&1
    status=$?
    if [ $status -eq 0 ]; then echo "1 passed, 0 failed" >>"$log"; else cat "$log"; fi
    count "openapi.yaml lint (redocly)" "$log" $status
    node tests/contract/validate.mjs openapi.yaml "$recorded" >"$log" 2>&1
    status=$?
    grep -v 'passed, .* failed' "$log" || true
    exchanges=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    # One test: every recorded exchange matches the contract.
    if [ $status -eq 0 ]; then echo "1 passed, 0 failed" >"$log"
    else echo "0 passed, 1 failed" >"$log"; fi
    count "exchanges valid against openapi.yaml" "$log" $status
    echo "  (exchanges: $exchanges)"
}

browser_pass() {
    section browser
    node tests/browser/run.mjs "$browser" "$shots" >"$log" 2>&1
    status=$?
    grep -E '^(ok|FAIL) ' "$log" | sed 's/^/  /'
    [ $status -eq 0 ] || cat "$log"
    count "the lab in Chromium (tests/browser)" "$log" $status
    echo "  (screenshots: $shots/*.png)"
}

fuzz_pass() {
    section fuzz
    corpus=$(mktemp -d)
    artifacts=$(dirname "$fuzzer")/artifacts
    mkdir -p "$artifacts"
    "$fuzzer" -max_total_time="$fuzz_seconds" -max_len=65536 -timeout=10 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 \
        "$corpus" tests/fuzz/corpus >"$log" 2>&1
    status=$?
    rm -rf "$corpus"
    if [ $status -eq 0 ]; then
        grep -E '^stat::number_of_executed_units' "$log" | sed 's/^/  /'
        echo "1 passed, 0 failed" >>"$log"
    else
        tail -n 60 "$log"
    fi
    count "fuzz_api ($fuzz_seconds s, ASan+UBSan)" "$log" $status
}

first_dir=${dirs# }
first_dir=${first_dir%% *}
other_dirs=${dirs# }
other_dirs=${other_dirs#"$first_dir"}

# The second lane: the other builds (the sanitizer build), the browser and
# the fuzzer, beside the first build's passes (about as long, together). Its output is kept and printed after the
# first lane's; its counts are handed back in a file.
second_lane() {
    for dir in $other_dirs; do build_pass "$dir" "" ""; done
    [ -z "$browser" ] || browser_pass
    [ -z "$fuzzer" ] || fuzz_pass
    section ""
    echo "$passed $failed $broken" >"$lane_counts"
}

if [ "$lanes" -ge 2 ]; then
    section ""
    lane_out=$(mktemp)
    lane_counts=$(mktemp)
    echo "(the sanitizer build, the browser and the fuzzer run beside the"
    echo " first build; their sections follow its own)"
    (passed=0; failed=0; broken=""; section_name=""; log=$(mktemp)
     second_lane; rm -f "$log") >"$lane_out" 2>&1 &
    lane_pid=$!
fi
build_pass "$first_dir" "$contract" "$slow"
[ -n "$contract" ] && recorded=$contract
[ -z "$pg_dir" ] || pg_pass
[ -z "$recorded" ] || contract_pass
if [ "$lanes" -ge 2 ]; then
    section ""
    wait "$lane_pid"
    cat "$lane_out"
    read -r p f b <"$lane_counts" || { p=0; f=1; b=" second-lane"; }
    passed=$((passed + p))
    failed=$((failed + f))
    [ -z "$b" ] || broken="$broken $b"
    rm -f "$lane_out" "$lane_counts"
else
    lane_counts=/dev/null
    second_lane
fi

section ""
[ -z "$broken" ] || echo "failing:$broken"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
