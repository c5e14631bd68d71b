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

if [ -e "$build/python/mlpersist/__init__.py" ]; then
  echo
  echo "== Train in scikit-learn, serve in C++ (examples/python/train_in_sklearn.py)"
  PYTHONPATH="$build/python" /usr/bin/python3 examples/python/train_in_sklearn.py "$out/sklearn.mlp"
  "$build/bin/mlpersist" predict "$out/sklearn.mlp" --data tests/data/iris.csv -o "$out/sk.csv"
  echo "mlpersist predict, in C++ (first rows of $(wc -l < "$out/sk.csv") lines):"
  head -n 4 "$out/sk.csv"
fi
