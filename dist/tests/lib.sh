# dist/tests/lib.sh - what the shipping tests share: a check runner that
# prints one line per check and the closing "N passed, N failed" line.
# Sourced, not run.

ship_passed=0
ship_failed=0
ship_skipped=0

# check NAME COMMAND... - runs COMMAND in this shell (so it may set
# variables and start background jobs); its output is shown on failure,
# and on success only its lines starting with "detail: " (measurements).
check() {
    local name=$1 log
    shift
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then
        printf '  PASS  %s\n' "$name"
        sed -n 's/^detail: /        /p' "$log"
        ship_passed=$((ship_passed + 1))
    else
        printf '  FAIL  %s\n' "$name"
        tail -40 "$log" | sed 's/^/        /'
        ship_failed=$((ship_failed + 1))
    fi
    rm -f "$log"
}

skip() {
    printf '  SKIP  %s (%s)\n' "$1" "$2"
    ship_skipped=$((ship_skipped + 1))
}

# fail_if_output COMMAND... - fails when COMMAND fails or prints anything
# (for tools that warn on stderr but still exit 0).
fail_if_output() {
    local out
    out=$("$@" 2>&1) || { echo "$out"; return 1; }
    [[ -z $out ]] || { echo "$out"; return 1; }
}

# summary PREFIX - the closing line; exit status of the whole test.
summary() {
    echo "$1: $ship_passed passed, $ship_failed failed, $ship_skipped skipped"
    [[ $ship_failed -eq 0 ]]
}
