#!/usr/bin/env bash
# The test program behind netsim_scenario_test and netsim_pkt_test
# (netsim.bzl):
#
#   netsim_test.sh scenario NETSIM EXPECTED_EXIT SCENARIO.json [netsim run options...]
#   netsim_test.sh pkt      NETSIM EXPECTED_EXIT SCRIPT.pkt...
#
# Runs netsim with Bazel's XML_OUTPUT_FILE as --junit and passes when netsim
# exits with EXPECTED_EXIT. A scenario run's outputs go to the test's
# undeclared outputs, so report.html is kept next to the test log.
set -uo pipefail

if [ $# -lt 4 ]; then
  echo "usage: netsim_test.sh scenario|pkt NETSIM EXPECTED_EXIT FILE..." >&2
  exit 2
fi
mode="$1"
netsim="$2"
expected="$3"
shift 3

outputs="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}"
xml="${XML_OUTPUT_FILE:-}"
# A test that expects netsim to fail would show those failures in Bazel's
# test.xml as failed test cases of a passing test; keep that report aside.
if [ "$expected" != 0 ] && [ -n "$xml" ]; then
  xml="$outputs/netsim-junit.xml"
fi

case "$mode" in
  scenario) command=run ;;
  pkt) command=pkt ;;
  *)
    echo "netsim_test.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac

# --junit is passed only to a netsim that documents it in its --help.
junit=()
if [ -n "$xml" ] && "$netsim" "$command" --help 2>/dev/null | grep -q -- '--junit'; then
  junit=(--junit "$xml")
fi

case "$mode" in
  scenario)
    scenario="$1"
    shift
    "$netsim" run "$scenario" --out "$outputs/out" "${junit[@]}" "$@"
    ;;
  pkt)
    "$netsim" pkt "${junit[@]}" "$@"
    ;;
esac
rc=$?
if [ "$rc" -ne "$expected" ]; then
  echo "netsim_test.sh: netsim $mode exited with $rc; this test expects $expected" >&2
  exit 1
fi
exit 0
