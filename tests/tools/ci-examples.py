#!/usr/bin/python3
"""Reads the CI examples in docs/ci.md (the ```yaml blocks whose first line names the file:
'# .github/workflows/boot.yml', '# .gitlab-ci.yml'), parses them with PyYAML, checks what
docs/ci.md says about them, and writes what the integration test runs into OUTDIR:
kernels (the matrix, one a line), github.N.sh (the run steps, one script per step, as
GitHub runs each step in its own shell) and gitlab.sh (the script lines, one shell), and
artifacts (the globs the jobs publish, one a line). Prints one line per check; exits 1
when a check failed. Usage: ci-examples.py DOCS/CI.MD OUTDIR"""
import os
import re
import sys

import yaml

failed = 0


def check(what, ok):
    global failed
    print(("ok   " if ok else "FAIL ") + what)
    failed += not ok


def blocks(text):
    found = {}
    for body in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M):
        first = body.splitlines()[0]
        if first.startswith("# "):
            found[first[2:].strip()] = yaml.safe_load(body)
    return found


def github(doc, out):
    job = doc["jobs"]["boot"]
    check("github: runs in debian:bookworm", job.get("container") == "debian:bookworm")
    kernels = job["strategy"]["matrix"]["kernel"]
    check("github: a matrix over kernels", len(kernels) >= 2)
    check("github: KERNEL_FLAVOUR comes from the matrix",
          job["env"]["KERNEL_FLAVOUR"] == "${{ matrix.kernel }}")
    steps = job["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    for i, run in enumerate(runs):
        with open(os.path.join(out, "github.%d.sh" % i), "w") as f:
            f.write(run)
    report = [s for s in steps if "junit" in s.get("uses", "")]
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    check("github: publishes the JUnit report, also after a failure",
          len(report) == 1 and report[0].get("if") == "always()")
    check("github: keeps the console as an artifact, also after a failure",
          len(upload) == 1 and upload[0].get("if") == "always()")
    return kernels, [report[0]["with"]["report_paths"], upload[0]["with"]["path"] + "console-*.log"]


def gitlab(doc, out):
    job = doc["boot"]
    check("gitlab: runs in debian:bookworm", job.get("image") == "debian:bookworm")
    kernels = job["parallel"]["matrix"][0]["KERNEL_FLAVOUR"]
    check("gitlab: a matrix over kernels", len(kernels) >= 2)
    with open(os.path.join(out, "gitlab.sh"), "w") as f:
        f.write("\n".join(job["script"]) + "\n")
    art = job["artifacts"]
    check("gitlab: keeps the artifacts after a failure", art.get("when") == "always")
    check("gitlab: publishes the JUnit report", "junit" in art.get("reports", {}))
    return kernels, [art["reports"]["junit"]] + [p + "console-*.log" for p in art["paths"]]


def main():
    with open(sys.argv[1]) as f:
        found = blocks(f.read())
    out = sys.argv[2]
    check("docs/ci.md has both examples",
          {".github/workflows/boot.yml", ".gitlab-ci.yml"} <= set(found))
    gh_kernels, gh_globs = github(found[".github/workflows/boot.yml"], out)
    gl_kernels, gl_globs = gitlab(found[".gitlab-ci.yml"], out)
    check("both jobs boot the same kernels", gh_kernels == gl_kernels)
    with open(os.path.join(out, "kernels"), "w") as f:
        f.write("\n".join(gh_kernels) + "\n")
    with open(os.path.join(out, "artifacts"), "w") as f:
        f.write("\n".join(sorted(set(gh_globs + gl_globs))) + "\n")
    return 1 if failed else 0


sys.exit(main())
