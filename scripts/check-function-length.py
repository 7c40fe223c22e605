#!/usr/bin/env python3
"""Lists functions in models/ and ui/ whose body is longer than a limit (default 120 lines); exit 1 if any.

A function body is a brace on a line of its own (as .clang-format places them after a signature) up to the
closing brace at the same indentation; the braces of classes, structs, enums and namespaces are containers,
not bodies, so member functions defined inside them count on their own.
usage: scripts/check-function-length.py [LIMIT]
"""
import re
import subprocess
import sys

CONTAINER = re.compile(r'^\s*(template\s*<.*>\s*)?(class|struct|enum|union|namespace)\b')


def long_functions(path, limit):
    lines = open(path, encoding='utf-8').read().split('\n')
    found = []
    for i, line in enumerate(lines):
        if line.strip() != '{':
            continue
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), '')
        if CONTAINER.match(previous) or previous.rstrip().endswith(('=', ',')):
            continue
        indent = line[: len(line) - len(line.lstrip())]
        end = next((k for k in range(i + 1, len(lines)) if lines[k].startswith(indent + '}')), None)
        if end is None:
            continue
        length = end - i - 1
        if length > limit:
            signature = previous.strip()
            found.append(f'{path}:{i}: {length} lines: {signature[:90]}')
    return found


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    files = subprocess.check_output(['git', 'ls-files', 'models/*.cpp', 'models/*.h', 'ui/*.cpp', 'ui/*.h'],
                                    text=True).split()
    found = [f for path in files for f in long_functions(path, limit)]
    for f in found:
        print(f)
    if found:
        print(f'check-function-length: {len(found)} function(s) longer than {limit} lines', file=sys.stderr)
        return 1
    print(f'check-function-length: no function in {len(files)} files is longer than {limit} lines')
    return 0


if __name__ == '__main__':
    sys.exit(main())
