"""py36check.py FILE...: flag syntax and standard-library APIs newer than Python 3.6.

XCP-ng 8.3 runs xapi plugins with Python 3.6.  When no 3.6 interpreter is at hand
this is the next best check: the parser in 3.6 mode (feature_version: walrus,
f-string '=', positional-only parameters...), then the later library additions a
plugin of this kind is likely to reach for.  One line per finding; exit 1 if any.
"""

import ast
import sys

# What 3.6 lacks, with the version that added it.
MODULES = {"dataclasses": "3.7", "contextvars": "3.7", "importlib.resources": "3.7",
           "importlib.metadata": "3.8", "zoneinfo": "3.9", "graphlib": "3.9",
           "tomllib": "3.11"}
ATTRIBUTES = {"removeprefix": "3.9", "removesuffix": "3.9", "time_ns": "3.7",
              "fromisoformat": "3.7", "isascii": "3.7", "waitstatus_to_exitcode": "3.9",
              "cache": "3.9", "cached_property": "3.8", "prod": "3.8", "isqrt": "3.8",
              "Pattern": "3.7", "Match": "3.7"}
KEYWORDS = {"capture_output": "3.7", "text": "3.7"}  # subprocess.run/Popen
BUILTINS = {"breakpoint": "3.7", "aiter": "3.10", "anext": "3.10"}


def check(path):
    source = open(path).read()
    found = []
    try:
        try:
            tree = ast.parse(source, path, feature_version=(3, 6))
        except TypeError:  # the running Python predates feature_version (3.8)
            tree = ast.parse(source, path)
    except SyntaxError as e:
        return ["%s:%s: not Python 3.6 syntax: %s" % (path, e.lineno, e.msg)]
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + ["%s.%s" % (node.module, n) for n in names]
                if node.module == "__future__" and "__future__.annotations" in names:
                    found.append("%s:%d: from __future__ import annotations (3.7)" % (path, line))
            for name in names:
                if name in MODULES:
                    found.append("%s:%d: module %s (%s)" % (path, line, name, MODULES[name]))
        elif isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
            found.append("%s:%d: .%s (%s)" % (path, line, node.attr, ATTRIBUTES[node.attr]))
        elif isinstance(node, ast.Name) and node.id in BUILTINS:
            found.append("%s:%d: %s() (%s)" % (path, line, node.id, BUILTINS[node.id]))
        elif isinstance(node, ast.keyword) and node.arg in KEYWORDS:
            found.append("%s:%d: keyword %s= (%s)" % (path, line, node.arg, KEYWORDS[node.arg]))
    return found


if __name__ == "__main__":
    problems = [p for f in sys.argv[1:] for p in check(f)]
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
