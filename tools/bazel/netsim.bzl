"""Bazel macros that turn netsim scenarios and packetdrill scripts into tests.

Load them from your own repository (netsim added as the external repository
`@netsim`, see tools/bazel/README.md) or from netsim itself:

    load("@netsim//tools/bazel:netsim.bzl", "netsim_pkt_test", "netsim_scenario_test")

    netsim_scenario_test(
        name = "flood_budget",
        scenario = "flood_budget.json",   # its "expect" block is the test
        data = ["topo.json"],             # files the scenario reads
    )

    netsim_pkt_test(
        name = "listen_path",
        srcs = glob(["pkt/*.pkt"]),
    )

A scenario test runs `netsim run SCENARIO` and passes when netsim exits 0,
that is when every expectation in the scenario holds; a pkt test runs
`netsim pkt SRCS...` and passes when every script passes. Both hand netsim
Bazel's XML_OUTPUT_FILE as `--junit`, so CI systems reading Bazel's test.xml
see one test case per expectation or per script, failures with measured vs
expected. A scenario test keeps the run's outputs (report.html, summary.json,
pcaps) in its undeclared outputs (bazel-testlogs/<pkg>/<name>/test.outputs/).

Paths inside a scenario (its "topology") are looked up from the test's
working directory, the runfiles root of your workspace: write them relative
to your workspace root and list the files in `data`.
"""

_NETSIM = Label("//tools:netsim")
_RUNNER = Label("//tools/bazel:netsim_test.sh")

def _quote(s):
    # Bazel splits test args like a Bourne shell; keep each value one argument.
    return "'" + s.replace("'", "'\\''") + "'"

def _common(kwargs):
    # A scenario of a few simulated seconds can take longer than "small"
    # allows in an unoptimised build.
    kwargs.setdefault("size", "medium")
    return kwargs

def netsim_scenario_test(
        name,
        scenario,
        data = [],
        seed = None,
        sets = [],
        expect_exit_code = 0,
        **kwargs):
    """A test that runs one scenario file and checks its expectations.

    Args:
      name: the test's name.
      scenario: the scenario file (a label); its `expect` block decides.
      data: other files the scenario reads (topologies).
      seed: replaces the scenario's seed (`--seed`), or None.
      sets: `PATH=VALUE` overrides (`--set`), e.g. ["apps/0/backlog=128"].
      expect_exit_code: the exit status that passes: 0 (every expectation
        holds), 1 (some expectation fails: for a scenario kept as a known
        counterexample) or 2 (the file must be rejected as bad input).
      **kwargs: size, timeout, tags, ... as for any test.
    """
    args = ["scenario", "$(rootpath %s)" % str(_NETSIM), str(expect_exit_code), "$(rootpath %s)" % scenario]
    if seed != None:
        args += ["--seed", _quote(str(seed))]
    for s in sets:
        args += ["--set", _quote(s)]
    native.sh_test(
        name = name,
        srcs = [_RUNNER],
        args = args,
        data = [_NETSIM, scenario] + data,
        **_common(kwargs)
    )

def netsim_pkt_test(name, srcs, data = [], expect_exit_code = 0, **kwargs):
    """A test that runs packetdrill-language scripts against a simulated host.

    Args:
      name: the test's name.
      srcs: the .pkt scripts (labels); the test passes when all pass.
      data: other files the scripts read.
      expect_exit_code: 0 (all pass), 1 (some script must fail), 2 (a script
        must be rejected as unreadable).
      **kwargs: size, timeout, tags, ... as for any test.
    """
    args = ["pkt", "$(rootpath %s)" % str(_NETSIM), str(expect_exit_code)]
    args += ["$(rootpaths %s)" % s for s in srcs]
    native.sh_test(
        name = name,
        srcs = [_RUNNER],
        args = args,
        data = [_NETSIM] + srcs + data,
        **_common(kwargs)
    )

def netsim_scenario_tests(name, scenarios, data = [], **kwargs):
    """One netsim_scenario_test per scenario file, and a test_suite `name` of them all.

    Each test is named `<name>_<file stem>`, e.g. scenarios_backlog_overflow.

    Args:
      name: the test_suite's name.
      scenarios: scenario file labels, e.g. ["//scenarios:backlog_overflow.json"].
      data: files every scenario may read (topologies).
      **kwargs: passed to every netsim_scenario_test.
    """
    tests = []
    for s in scenarios:
        stem = s.split(":")[-1].split("/")[-1]
        if stem.endswith(".json"):
            stem = stem[:-len(".json")]
        test = "%s_%s" % (name, stem)
        netsim_scenario_test(name = test, scenario = s, data = data, **kwargs)
        tests.append(":" + test)
    native.test_suite(name = name, tests = tests)
