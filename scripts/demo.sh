#!/usr/bin/env bash
# `make demo`: the seed session in C++, then the same through the CLI in separate processes.
set -euo pipefail
build=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== The seed session (examples/persistence_example.cpp)"
"$build/bin/persistence_example" tests/data/iris.csv "$out/example"

echo
echo "== The same with the mlpersist CLI: fit in one process, predict in another"
"$build/bin/mlpersist" fit svm.SVC --data tests/data/iris.csv -o "$out/svc.bin"
"$build/bin/mlpersist" inspect "$out/svc.bin"
"$build/bin/mlpersist" predict "$out/svc.bin" --data tests/data/iris.csv -o "$out/predictions.csv"
echo "predictions (first rows of $(wc -l < "$out/predictions.csv") lines):"
head -n 3 "$out/predictions.csv"

echo
echo "== An old model file (schema 1, tests/fixtures/schema-v1) migrated (examples/migrate_model.cpp)"
"$build/bin/migrate_model" tests/fixtures/schema-v1/pipeline_iris.binary.mlp "$out/migrated"
