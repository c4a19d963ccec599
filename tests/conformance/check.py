#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks tapix's Windows-compatible headers against the Windows SDK headers
as the mingw-w64 project ships them (Debian: mingw-w64-x86-64-dev, compiled
with gcc-mingw-w64-x86-64):

  values      every numeric macro of the reference headers that we define
              has the reference value (compared as 32-bit values); every
              name of the families we claim exists in ours;
  layouts     every structure of our public headers has the reference's
              size and field offsets on x86-64 (the reference computed by
              the cross compiler);
  prototypes  every function we declare that the reference declares takes
              the address of ours with the reference's function type.

Differences listed in allow.txt (with their reason) are reported, not
failed. Usage: check.py SOURCE_DIR [HOST_CC]
"""
import os
import re
import subprocess
import sys
import tempfile

REF_CC = "x86_64-w64-mingw32-gcc"

# The sets compared together: reference headers, ours, the name families
# we claim completely (every reference name must exist in ours), and the
# enumerations of the reference we claim completely (values compared for
# every enumerator).
UNITS = [
    {"refs": ["tapi.h", "tspi.h"],
     "ours": ["tapi.h", "tspi.h", "tapix/wintypes.h"],
     "families": [
         "LINEERR_", "LINECALLSTATE_", "LINE_", "LINEDISCONNECTMODE_",
         "LINECALLPRIVILEGE_", "LINEMEDIAMODE_", "LINEBEARERMODE_",
         "LINEDEVCAPFLAGS_", "LINEADDRCAPFLAGS_", "LINECONNECTEDMODE_",
         "LINECALLFEATURE_", "LINEINITIALIZEEXOPTION_"],
     "enums": []},
    # the TAPI 3 layer: tapi3if.h's enumerations, tapi3err.h's codes, the
    # generic HRESULTs of winerror.h we define
    {"refs": ["tapi3if.h", "tapi3err.h", "winerror.h"],
     "ours": ["tapix/tapi3.h"],
     "families": ["TAPI_E_", "TAPIMEDIATYPE_"],
     "enums": ["CALL_STATE", "CALL_STATE_EVENT_CAUSE", "DISCONNECT_CODE",
               "FINISH_MODE", "CALL_PRIVILEGE", "CALL_NOTIFICATION_EVENT",
               "TAPI_EVENT", "TERMINAL_DIRECTION", "TERMINAL_MEDIA_STATE",
               "FT_STATE_EVENT_CAUSE"]},
    # RAS: every RASCS_ state, every raserror.h code tapix claims (600 to
    # 764), the generic codes of winerror.h it defines
    {"refs": ["ras.h", "raserror.h", "winerror.h"],
     "ours": ["ras.h", "raserror.h"],
     "families": ["RDEOPT_", "RASCF_", "REN_", "RASET_", "RAS_Max"],
     "enums": ["RASCONNSTATE", "RASCONNSUBSTATE"],
     "claim_range": ("raserror.h", 600, 764)},
]

# "enum NAME { ... }", and mingw-w64's "#define NAME enum tagNAME / NAME {"
ENUM = re.compile(r"enum\s+(\w+)\s*\{(.*?)\}", re.S)
MINGW_ENUM = re.compile(r"#define\s+(\w+)\s+enum\s+\w+\s*\n\s*\1\s*\{(.*?)\}",
                        re.S)

DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\s|$)(.*)$", re.M)


def run(cmd, text=None):
    return subprocess.run(cmd, input=text, capture_output=True, text=True)


def ref_header_path(name):
    """Where the cross compiler finds @name."""
    r = run([REF_CC, "-M", "-xc", "-"], "#include <windows.h>\n"
            "#include <%s>\n" % name)
    for tok in r.stdout.replace("\\\n", " ").split():
        if tok.endswith("/" + name):
            return tok
    sys.exit("conformance: %s cannot find %s: %s" % (REF_CC, name,
                                                     r.stderr.strip()))


def object_macros(path):
    """Names of the object-like macros a header defines."""
    text = open(path, encoding="latin-1").read()
    names = []
    for m in DEFINE.finditer(text):
        if m.group(2) == "(":  # function-like
            continue
        names.append(m.group(1))
    return names


def enumerators(path, wanted=None):
    """Enumerator names of the enumerations of a header (those @wanted)."""
    text = re.sub(r"/\*.*?\*/", "", open(path, encoding="latin-1").read(),
                  flags=re.S)
    names = []
    for m in list(ENUM.finditer(text)) + list(MINGW_ENUM.finditer(text)):
        tag = re.sub(r"^tag", "", m.group(1))
        if wanted is not None and tag not in wanted:
            continue
        for item in m.group(2).split(","):
            item = item.strip()
            if item:
                names.append(re.match(r"\w+", item).group(0))
    return names


def evaluate(cc, prelude, exprs, cflags):
    """Values of integer constant expressions, compiled to assembly.

    @exprs maps a key to a C expression; keys whose expression does not
    compile are left out. Returns {key: int}.
    """
    keys = list(exprs)
    for _ in range(50):
        lines = [prelude]
        for i, k in enumerate(keys):
            lines.append("const long long tapix_v%d = (long long)(%s);"
                         % (i, exprs[k]))
        src = "\n".join(lines) + "\n"
        with tempfile.TemporaryDirectory() as d:
            c = os.path.join(d, "v.c")
            open(c, "w").write(src)
            r = run([cc, "-S", "-O0", "-w", "-o", "-", c] + cflags)
        if r.returncode == 0:
            break
        base = prelude.count("\n") + 1
        bad = set()
        for m in re.finditer(r"v\.c:(\d+):", r.stderr):
            n = int(m.group(1)) - base - 1
            if 0 <= n < len(keys):
                bad.add(n)
        if not bad:
            sys.exit("conformance: cannot evaluate with %s:\n%s"
                     % (cc, r.stderr[:2000]))
        keys = [k for i, k in enumerate(keys) if i not in bad]
    values = {}
    # a zero is emitted as ".zero 8" (ELF) or ".space 8" (PE), anything
    # else as ".quad N"
    for m in re.finditer(r"^tapix_v(\d+):\s*\n\s*(?:\.quad\s+(-?\d+)|"
                         r"\.(?:zero|space)\s+8)", r.stdout, re.M):
        values[keys[int(m.group(1))]] = int(m.group(2) or 0)
    return values


def load_allow(path):
    allow = {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, name, reason = line.split(None, 2)
        allow[(kind, name)] = reason
    return allow


def our_structs(paths):
    """{typedef name: [field names]} of the structures in our headers."""
    structs = {}
    for p in paths:
        text = open(p).read()
        for m in re.finditer(r"typedef struct (\w+) \{(.*?)\n\} (\w+)",
                             text, re.S):
            body = re.sub(r"/\*.*?\*/", "", m.group(2), flags=re.S)
            body = re.sub(r"union \{.*?\}", "union", body, flags=re.S)
            fields = [f for f in re.findall(r"(\w+)(?:\[[^\]]*\])?;", body)
                      if f != "union"]  # (an anonymous union's members
            # are checked through the structure's size)
            structs[m.group(3)] = fields
    return structs


def main():
    src = sys.argv[1]
    host_cc = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("CC",
                                                                   "cc")
    inc = os.path.join(src, "include")
    allow = load_allow(os.path.join(src, "tests", "conformance",
                                    "allow.txt"))
    failures = []
    notes = []

    def differ(kind, name, what):
        if (kind, name) in allow:
            notes.append("allowed %s %s: %s (%s)" % (kind, name, what,
                                                     allow[(kind, name)]))
        else:
            failures.append("%s %s: %s" % (kind, name, what))

    for unit in UNITS:
        refs, ours, families = unit["refs"], unit["ours"], unit["families"]
        ref_paths = [ref_header_path(h) for h in refs]
        ref_pre = "#include <windows.h>\n" + "".join(
            "#include <%s>\n" % h for h in refs)
        our_pre = "#include <stddef.h>\n" + "".join(
            "#include <%s>\n" % h for h in ours)
        our_paths = [os.path.join(inc, h) for h in ours]

        # ---- values --------------------------------------------------------
        ours_defined = set()
        for p in our_paths:
            ours_defined |= set(object_macros(p)) | set(enumerators(p))
        names = []
        for p in ref_paths:
            names += [n for n in object_macros(p) if n not in names]
        claimed = []
        for p in ref_paths:
            claimed += enumerators(p, unit["enums"])
        # (what we define, what we claim: not all of winerror.h)
        names = [n for n in names if n in ours_defined or
                 any(n.startswith(f) for f in families)] + claimed
        ref_vals = evaluate(REF_CC, ref_pre, {n: n for n in names}, [])
        our_vals = evaluate(host_cc, our_pre,
                            {n: n for n in ref_vals if n in ours_defined},
                            ["-I" + inc])
        checked = 0
        if "claim_range" in unit:
            # every code of that header in the range (they are written
            # as RASBASE + n: known only once evaluated)
            hdr, lo, hi = unit["claim_range"]
            in_hdr = set(object_macros(ref_paths[refs.index(hdr)]))
            extra = {n: n for n in in_hdr if n not in ref_vals}
            ref_vals.update(evaluate(REF_CC, ref_pre, extra, []))
            claimed += [n for n in in_hdr
                        if n in ref_vals and lo <= ref_vals[n] <= hi]
            our_vals.update(evaluate(
                host_cc, our_pre,
                {n: n for n in claimed if n in ours_defined and
                 n not in our_vals}, ["-I" + inc]))
        for n, v in sorted(ref_vals.items()):
            if n in our_vals:
                checked += 1
                if (our_vals[n] & 0xFFFFFFFF) != (v & 0xFFFFFFFF):
                    differ("value", n, "ours 0x%08x, reference 0x%08x"
                           % (our_vals[n] & 0xFFFFFFFF, v & 0xFFFFFFFF))
            elif n in claimed or any(n.startswith(f) for f in families):
                differ("missing", n, "reference 0x%08x" % (v & 0xFFFFFFFF))
        print("values: %d compared, %d reference constants"
              % (checked, len(ref_vals)))

        # ---- layouts -------------------------------------------------------
        structs = our_structs(our_paths)
        declared = sum(len(re.findall(r"typedef struct \w+ \{",
                                      open(p).read()))
                       for p in our_paths)
        if declared != len(structs):
            failures.append("layout: %d structures declared, %d parsed "
                            "(the parser in check.py needs work)"
                            % (declared, len(structs)))
        exprs = {}
        for s, fields in structs.items():
            exprs[(s, None)] = "sizeof(%s)" % s
            for f in fields:
                exprs[(s, f)] = "offsetof(%s, %s)" % (s, f)
        ref_l = evaluate(REF_CC, ref_pre + "#include <stddef.h>\n", exprs,
                         [])
        our_l = evaluate(host_cc, our_pre, exprs, ["-I" + inc])
        for key in sorted(exprs, key=lambda k: (k[0], k[1] or "")):
            name = key[0] + ("." + key[1] if key[1] else "")
            if key not in our_l:
                failures.append("layout %s: does not compile with ours"
                                % name)
            elif key not in ref_l:
                differ("layout", name, "not in the reference")
            elif ref_l[key] != our_l[key]:
                differ("layout", name, "ours %d, reference %d"
                       % (our_l[key], ref_l[key]))
        print("layouts: %d structures, %d sizes and offsets"
              % (len(structs), len(exprs)))

        # ---- prototypes ----------------------------------------------------
        ref_text = "".join(open(p, encoding="latin-1").read()
                           for p in ref_paths)
        protos = {}
        for m in re.finditer(
                r"\b(LONG|DWORD|VOID|void|BOOL)\s+(?:WINAPI|TSPIAPI)\s+"
                r"(\w+)\s*\(([^;]*?)\)\s*;", ref_text):
            protos[m.group(2)] = (m.group(1), " ".join(m.group(3).split()))
        ours_text = "".join(open(p).read() for p in our_paths)
        declared = set(re.findall(r"\b(\w+)\s*\(", ours_text))
        checked = 0
        for fn, (ret, params) in sorted(protos.items()):
            if fn not in declared or fn.startswith("phone"):
                continue
            # (WINBOOL: mingw-w64's spelling of BOOL)
            tu = our_pre + "#define WINBOOL BOOL\n%s (*tapix_p)(%s) = %s;\n" % (
                ret, params, fn)
            with tempfile.TemporaryDirectory() as d:
                c = os.path.join(d, "p.c")
                open(c, "w").write(tu)
                r = run([host_cc, "-c", "-o", os.devnull, "-I" + inc,
                         "-Werror=incompatible-pointer-types", c])
            checked += 1
            if r.returncode != 0:
                err = [l for l in r.stderr.splitlines() if "error" in l]
                differ("proto", fn, err[0].split("error:")[-1].strip()
                       if err else "does not compile")
        print("prototypes: %d compared" % checked)

    for n in notes:
        print(n)
    for f in failures:
        print("DIFFERS: " + f)
    if failures:
        print("conformance: %d differences (not in allow.txt)"
              % len(failures))
        return 1
    print("conformance: headers match the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
