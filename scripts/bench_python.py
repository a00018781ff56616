#!/usr/bin/env python3
"""Compile-speed benchmark of the official LittleHorse Python SDK (littlehorse-client).

Usage: .venv/bin/python scripts/bench_python.py SIZE [--runs R]

Builds, with `littlehorse.workflow.Workflow` / `WorkflowThread`, the same workflow of SIZE
statements that the Rust bench (bench/src/main.rs, `lhw-bench`) generates as `.lhw` text:
the same deterministic generator (splitmix64, same draws in the same order), the same
statement mix, the same variables. Each run builds the workflow, `compile()`s it to a
PutWfSpecRequest and serializes it with `MessageToJson`; generating the statement plan
is not timed (the Rust side likewise does not time generating its text).

Prints one JSON object on stdout: the run times, their median, the peak RSS of this
process after the first run (`resource.getrusage`; it includes the interpreter and the
imports: see `baseline_rss_kb`) and after all runs, and the size of the compiled entrypoint thread (node and edge count,
and a digest of the sorted node names) so the caller can check both workloads match.

Keep `generate` in sync with `bench/src/main.rs`.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from typing import Any, Optional

MASK = (1 << 64) - 1

INT_VARS = ["count", "total"] + [f"n{i}" for i in range(1, 13)]
STR_VARS = [f"s{i}" for i in range(1, 7)]
SEED = 0x1A2B_3C4D_5E6F_7081
CMPS = [">", "<", ">=", "<=", "==", "!="]


class Rng:
    """splitmix64, identical to the Rust bench's generator."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E37_79B9_7F4A_7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n


def gen_cond(rng: Rng) -> tuple[str, int, int]:
    cmp = CMPS[rng.below(len(CMPS))]
    var = rng.below(len(INT_VARS))
    k = rng.below(100)
    return (cmp, var, k)


def gen_simple(rng: Rng, r: int) -> tuple[Any, ...]:
    ni, ns = len(INT_VARS), len(STR_VARS)
    if r < 12:
        return ("notify", rng.below(ns))
    if r < 20:
        s = rng.below(ns)
        n = rng.below(ni)
        return ("audit", s, n)
    if r < 32:
        dst = rng.below(ni)
        src = rng.below(ni)
        k = rng.below(100)
        return ("compute", dst, src, k)
    if r < 40:
        dst = rng.below(ns)
        src = rng.below(ns)
        return ("lookup", dst, src)
    if r < 48:
        dst = rng.below(ni)
        return ("add", dst, 1 + rng.below(9))
    if r < 52:
        dst = rng.below(ni)
        return ("sub", dst, 1 + rng.below(9))
    if r < 58:
        return ("double", rng.below(ni))
    if r < 64:
        dst = rng.below(ni)
        src = rng.below(ni)
        k = rng.below(100)
        return ("sum", dst, src, k)
    if r < 72:
        dst = rng.below(ns)
        n = rng.below(ni)
        s = rng.below(ns)
        return ("fmt_assign", dst, n, s)
    return ("fmt_notify", rng.below(ni))


def gen_block(rng: Rng, budget: int, depth: int) -> list[tuple[Any, ...]]:
    out = []
    while budget > 0:
        stmt, used = gen_stmt(rng, budget, depth)
        out.append(stmt)
        budget -= used
    return out


def gen_stmt(rng: Rng, budget: int, depth: int) -> tuple[tuple[Any, ...], int]:
    r = rng.below(100)
    if r >= 84:
        if depth < 2 and budget >= 3:
            if r < 95:
                return gen_if(rng, budget, depth)
            return gen_while(rng, budget, depth)
        r -= 84
    return gen_simple(rng, r), 1


def gen_if(rng: Rng, budget: int, depth: int) -> tuple[tuple[Any, ...], int]:
    cond = gen_cond(rng)
    avail = budget - 1
    then_n = 1 + rng.below(min(3, avail))
    rest = avail - then_n
    else_n = 0
    if rest > 0 and rng.below(2) == 0:
        else_n = 1 + rng.below(min(2, rest))
    then = gen_block(rng, then_n, depth + 1)
    els = gen_block(rng, else_n, depth + 1) if else_n > 0 else None
    return ("if", cond, then, els), 1 + then_n + else_n


def gen_while(rng: Rng, budget: int, depth: int) -> tuple[tuple[Any, ...], int]:
    var = rng.below(len(INT_VARS))
    k = 1 + rng.below(10)
    avail = budget - 1
    extra = rng.below(min(2, avail - 1) + 1)
    body = [("add", var, 1)] + gen_block(rng, extra, depth + 1)
    return ("while", ("<", var, k), body), 2 + extra


def generate(size: int) -> list[tuple[Any, ...]]:
    """The statement plan: SIZE statements in all, the variable declarations included."""
    decls = len(INT_VARS) + len(STR_VARS)
    return gen_block(Rng(SEED), max(size - decls, 0), 0)


def build_workflow(plan: list[tuple[Any, ...]]) -> Any:
    from littlehorse.model import VariableMutationType
    from littlehorse.workflow import Workflow, WorkflowThread

    assign = VariableMutationType.ASSIGN
    add = VariableMutationType.ADD
    sub = VariableMutationType.SUBTRACT

    def entrypoint(wf: WorkflowThread) -> None:
        ints = [wf.declare_int(name, i) for i, name in enumerate(INT_VARS)]
        strs = [wf.declare_str(name, f"v{i}") for i, name in enumerate(STR_VARS)]

        def cond(c: tuple[str, int, int]) -> Any:
            cmp, var, k = c
            v = ints[var]
            if cmp == ">":
                return v.is_greater_than(k)
            if cmp == "<":
                return v.is_less_than(k)
            if cmp == ">=":
                return v.is_greater_than_eq(k)
            if cmp == "<=":
                return v.is_less_than_eq(k)
            if cmp == "==":
                return v.is_equal_to(k)
            return v.is_not_equal_to(k)

        def block(t: WorkflowThread, stmts: list[tuple[Any, ...]]) -> None:
            for s in stmts:
                stmt(t, s)

        def stmt(t: WorkflowThread, s: tuple[Any, ...]) -> None:
            kind = s[0]
            if kind == "notify":
                t.execute("notify", strs[s[1]])
            elif kind == "audit":
                t.execute("audit", strs[s[1]], ints[s[2]])
            elif kind == "compute":
                out = t.execute("compute", ints[s[2]], s[3])
                t.mutate(ints[s[1]], assign, out)
            elif kind == "lookup":
                out = t.execute("lookup", strs[s[2]])
                t.mutate(strs[s[1]], assign, out)
            elif kind == "add":
                t.mutate(ints[s[1]], add, s[2])
            elif kind == "sub":
                t.mutate(ints[s[1]], sub, s[2])
            elif kind == "double":
                v = ints[s[1]]
                t.mutate(v, assign, v.multiply(2))
            elif kind == "sum":
                t.mutate(ints[s[1]], assign, ints[s[2]].add(s[3]))
            elif kind == "fmt_assign":
                t.mutate(strs[s[1]], assign, t.format("order {0} for {1}", ints[s[2]], strs[s[3]]))
            elif kind == "fmt_notify":
                t.execute("notify", t.format("total is {0}", ints[s[1]]))
            elif kind == "if":
                _, c, then, els = s
                then_fn = lambda th, body=then: block(th, body)  # noqa: E731
                if els is None:
                    t.do_if(cond(c), then_fn)
                else:
                    else_fn = lambda th, body=els: block(th, body)  # noqa: E731
                    t.do_if(cond(c), then_fn, else_fn)
            elif kind == "while":
                _, c, body = s
                t.do_while(cond(c), lambda th, body=body: block(th, body))
            else:
                raise ValueError(f"unknown statement kind {kind}")

        block(wf, plan)

    return Workflow("bench", entrypoint)


def fnv1a(data: bytes) -> int:
    h = 0xCBF2_9CE4_8422_2325
    for b in data:
        h = ((h ^ b) * 0x0000_0100_0000_01B3) & MASK
    return h


def main(argv: list[str]) -> int:
    size: Optional[int] = None
    runs = 3
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--runs" and i + 1 < len(argv):
            runs = int(argv[i + 1])
            i += 2
            continue
        if size is None:
            size = int(a)
            i += 1
            continue
        print(f"unexpected argument {a!r}", file=sys.stderr)
        return 2
    if size is None or size <= 0 or runs <= 0:
        print("usage: bench_python.py SIZE [--runs R]", file=sys.stderr)
        return 2

    from google.protobuf.json_format import MessageToJson

    import littlehorse.workflow  # noqa: F401  (imported before the baseline is taken)

    baseline_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    plan = generate(size)

    times_ms = []
    req = None
    json_bytes = 0
    peak_one_build_kb = 0
    for run in range(runs):
        t0 = time.perf_counter()
        req = build_workflow(plan).compile()
        text = MessageToJson(req)
        t1 = time.perf_counter()
        times_ms.append((t1 - t0) * 1000.0)
        json_bytes = len(text.encode())
        if run == 0:
            peak_one_build_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        del text
    assert req is not None

    entry = req.thread_specs[req.entrypoint_thread_name]
    names = sorted(entry.nodes.keys())
    edges = sum(len(n.outgoing_edges) for n in entry.nodes.values())
    result = {
        "size": size,
        "runs": runs,
        "times_ms": times_ms,
        "median_ms": statistics.median(times_ms),
        "peak_rss_kb": peak_one_build_kb,
        "peak_rss_all_runs_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "baseline_rss_kb": baseline_rss_kb,
        "nodes": len(names),
        "edges": edges,
        "node_names_digest": f"{fnv1a(chr(10).join(names).encode()):016x}",
        "json_bytes": json_bytes,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
