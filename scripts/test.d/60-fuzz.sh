#!/bin/sh
# CI fuzz smoke: every libFuzzer harness for 30 s (clang, ASan + UBSan, in
# build-fuzz). Prints "Ok: N" / "Fail: N" for scripts/test.sh's totals.
cd "$(dirname "$0")/../.."
echo "=== fuzz smoke (30 s per harness)"
exec sh scripts/fuzz.sh 30
