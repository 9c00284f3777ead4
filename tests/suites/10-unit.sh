#!/usr/bin/env bash
# Unit tests: scanner, parser, types, quoting, resolver, JSON reader (tests/unit/*.c).
exec $UNIT
